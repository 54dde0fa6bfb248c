import auditLog from './audit-log';
import activity from './activity';
import avatar from './avatar';
import credentialCheck from './credential-check';
import credentials from './credentials';
import identities from './identities';
import login from './login';
import nicknameCheck from './nickname-check';
import oauth from './oauth';
import oauthGrants from './oauth-grants';
import phone from './phone';
import profile from './profile';
import qrLogins from './qr-logins';
import rateLimits from './rate-limits';
import secrets from './secrets';
import secretsAtRest from './secrets-at-rest';
import sessions from './sessions';
import signUpSettings from './sign-up-settings';
import token from './token';
import upgrade from './upgrade';
import userDirectory from './user-directory';
import userModeration from './user-moderation';
import wechat from './wechat';

const services = {
  auditLog,
  activity,
  avatar,
  credentialCheck,
  credentials,
  identities,
  login,
  nicknameCheck,
  oauth,
  oauthGrants,
  phone,
  profile,
  qrLogins,
  rateLimits,
  secrets,
  secretsAtRest,
  sessions,
  signUpSettings,
  token,
  upgrade,
  userDirectory,
  userModeration,
  wechat,
};

export type Services = typeof services;
export default services;
