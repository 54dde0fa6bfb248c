import auth from './auth';
import encryptedData from './encrypted-data';
import oauth from './oauth';
import phone from './phone';
import profile from './profile';
import settings from './settings';

export default { auth, encryptedData, oauth, phone, profile, settings };
