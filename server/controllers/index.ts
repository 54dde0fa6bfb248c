import activity from './activity';
import auth from './auth';
import encryptedData from './encrypted-data';
import phone from './phone';
import profile from './profile';
import qrLogin from './qr-login';
import settings from './settings';
import wechatUsers from './wechat-users';

export default { activity, auth, encryptedData, phone, profile, qrLogin, settings, wechatUsers };
