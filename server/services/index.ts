import credentialCheck from './credential-check';
import credentials from './credentials';
import login from './login';
import token from './token';
import wechat from './wechat';
import wechatUsers from './wechat-users';

const services = { credentialCheck, credentials, login, token, wechat, wechatUsers };

export type Services = typeof services;
export default services;
