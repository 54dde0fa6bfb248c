import auth from './auth';
import phone from './phone';
import profile from './profile';
import settings from './settings';

export default { auth, phone, profile, settings };
