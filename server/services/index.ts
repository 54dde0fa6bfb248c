import credentials from './credentials';
import login from './login';
import wechat from './wechat';
import wechatUsers from './wechat-users';

const services = { credentials, login, wechat, wechatUsers };

export type Services = typeof services;
export default services;
