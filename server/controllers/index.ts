import auth from './auth';
import settings from './settings';

export default { auth, settings };
