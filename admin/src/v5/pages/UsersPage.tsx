import { kit } from '../kit';
import { withKit } from '../../shared/kit';
import { UsersPage } from '../../shared/pages/UsersPage';

export default withKit(kit, UsersPage);
