// What POST /settings/test answers (server/services/credential-check.ts), shared with the admin panel.

/** Why WeChat refused the credentials (or could not be asked), in words the admin page translates. */
export type CheckFailureReason =
  'invalid_appid' | 'invalid_secret' | 'ip_not_whitelisted' | 'secret_frozen' | 'timeout' | 'network' | 'bad_response' | 'wechat_error';

export type CheckResult =
  { ok: true; appId: string; expiresIn: number } | { ok: false; appId: string; reason: CheckFailureReason; errcode: number | null; message: string };
