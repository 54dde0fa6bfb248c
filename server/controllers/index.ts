import auth from './auth';
import encryptedData from './encrypted-data';
import phone from './phone';
import profile from './profile';
import qrLogin from './qr-login';
import settings from './settings';

export default { auth, encryptedData, phone, profile, qrLogin, settings };
