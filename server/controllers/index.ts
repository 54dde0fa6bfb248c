import activity from './activity';
import auth from './auth';
import encryptedData from './encrypted-data';
import phone from './phone';
import profile from './profile';
import settings from './settings';
import wechatUsers from './wechat-users';

export default { activity, auth, encryptedData, phone, profile, settings, wechatUsers };
