import auth from './auth';
import phone from './phone';
import settings from './settings';

export default { auth, phone, settings };
