import { kit } from '../kit';
import { withKit } from '../../shared/kit';
import { SettingsPage } from '../../shared/pages/SettingsPage';

export default withKit(kit, SettingsPage);
