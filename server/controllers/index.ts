import activity from './activity';
import auth from './auth';
import encryptedData from './encrypted-data';
import oauth from './oauth';
import phone from './phone';
import profile from './profile';
import qrLogin from './qr-login';
import settings from './settings';
import wechatUsers from './wechat-users';

export default { activity, auth, encryptedData, oauth, phone, profile, qrLogin, settings, wechatUsers };
