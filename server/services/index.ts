import credentialCheck from './credential-check';
import credentials from './credentials';
import identities from './identities';
import login from './login';
import phone from './phone';
import secrets from './secrets';
import token from './token';
import upgrade from './upgrade';
import wechat from './wechat';

const services = { credentialCheck, credentials, identities, login, phone, secrets, token, upgrade, wechat };

export type Services = typeof services;
export default services;
