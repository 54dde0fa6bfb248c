import type { Strapi } from '../types';
import { environment, hasModel, pluginConfig, query } from '../strapi';
import { asIdentityWrite } from '../lifecycles/identity-guard';
import { getService } from '../utils/get-service';
import { SEALED_PREFIX } from '../crypto/secret-box';
import { ACCESS_TOKEN_UID } from '../content-types/access-token';
import { IDENTITY_UID, LEGACY_CREDENTIAL_UID, USER_UID } from '../utils/plugin-id';

const BATCH = 500;

/** Every column where the plugin keeps a secret, and what it holds (for the logs). */
const SECRET_COLUMNS = [
  { uid: IDENTITY_UID, field: 'sessionKey', what: 'session key(s)' },
  { uid: ACCESS_TOKEN_UID, field: 'accessToken', what: 'access token(s)' },
  // Where 0.0.5/1.0 kept the session key and 0.0.5 the AppSecret: copied elsewhere since, kept for a downgrade, sealed in place.
  { uid: USER_UID, field: 'wechatSessionKey', what: 'session key(s) of earlier versions' },
  { uid: LEGACY_CREDENTIAL_UID, field: 'app_secret', what: 'AppSecret(s) of version 0.0.5' },
] as const;

interface Tally {
  sealed: number;
  unreadable: Record<string, number>;
}

type SecretRow = { id: number } & Record<string, unknown>;

const NO_KEY =
  '[wechat-auth] no encryption key: neither encryption.key (WECHAT_AUTH_ENCRYPTION_KEY) nor the app keys (server.app.keys / APP_KEYS) are set, ' +
  'so AppSecrets, access tokens and session keys are stored in plaintext in the database. ' +
  'Set WECHAT_AUTH_ENCRYPTION_KEY (for example: openssl rand -base64 32) or encryption.key in config/plugins, or APP_KEYS';

const DERIVED_FROM: Record<string, string> = {
  ENCRYPTION_KEY: "the app's admin.secrets.encryptionKey (ENCRYPTION_KEY)",
  APP_KEYS: "the app's keys (server.app.keys / APP_KEYS)",
};

/**
 * Secrets at rest, brought under the current key at every start: values written in plaintext (by
 * earlier versions, or where there was no key) and values sealed under another key that can still
 * be read are sealed again with the current key. Each row is rewritten only if it still holds what
 * was read, so logins and a second instance starting at the same time lose nothing.
 */
export default ({ strapi }: { strapi: Strapi }) => {
  const secrets = () => getService(strapi, 'secrets');

  /** Says where the key comes from; only an app with no key at all is a missing key (a warning, or an error, in production). */
  function announceKey(): void {
    const source = secrets().keySource();
    if (source === 'encryption.key') return;
    if (source !== 'none') {
      strapi.log.info(
        `[wechat-auth] stored secrets are encrypted with a key derived from ${DERIVED_FROM[source]}; ` +
          'changing those makes them unreadable (they count as missing): set WECHAT_AUTH_ENCRYPTION_KEY for a key of their own'
      );
      return;
    }
    if (environment(strapi) !== 'production') {
      strapi.log.info(NO_KEY);
      return;
    }
    if (pluginConfig(strapi, 'encryption').onMissingKey === 'error') throw new Error(`${NO_KEY} (encryption.onMissingKey is 'error' in production)`);
    strapi.log.warn(NO_KEY);
  }

  async function resealColumn(uid: string, field: string, tally: Tally, what: string): Promise<void> {
    const box = secrets().box();
    const current = `${SEALED_PREFIX}${box.keyId}:`;
    const rows = () => query<SecretRow>(strapi, uid);
    for (let lastId = 0; ;) {
      const batch = await rows().findMany({
        where: { id: { $gt: lastId }, [field]: { $notNull: true }, $not: { [field]: { $startsWith: current } } },
        select: ['id', field],
        orderBy: { id: 'asc' },
        limit: BATCH,
      });
      if (!batch.length) return;
      lastId = batch[batch.length - 1].id;
      for (const row of batch) {
        const stored = row[field];
        if (typeof stored !== 'string' || !stored || !box.needsReseal(stored)) continue;
        const plain = secrets().openOrNull(stored, () => (tally.unreadable[what] = (tally.unreadable[what] ?? 0) + 1));
        if (plain === null) continue;
        const { count } = await asIdentityWrite(() => rows().updateMany({ where: { id: row.id, [field]: stored }, data: { [field]: box.seal(plain) } }));
        tally.sealed += count;
      }
    }
  }

  /** Without a key nothing can be opened: count what is sealed all the same. */
  async function countSealed(uid: string, field: string, tally: Tally, what: string): Promise<void> {
    const count = await query(strapi, uid).count({ where: { [field]: { $startsWith: SEALED_PREFIX } } });
    if (count) tally.unreadable[what] = (tally.unreadable[what] ?? 0) + count;
  }

  return {
    async run(): Promise<void> {
      announceKey();
      const box = secrets().box();
      const tally: Tally = { sealed: 0, unreadable: {} };
      const credentials = getService(strapi, 'credentials');
      if (box.enabled && (await credentials.needsReseal())) {
        await credentials.rewrite();
        tally.sealed += 1;
      }
      for (const { uid, field, what } of SECRET_COLUMNS) {
        if (!hasModel(strapi, uid)) continue;
        await (box.enabled ? resealColumn : countSealed)(uid, field, tally, what);
      }
      if (tally.sealed) strapi.log.info(`[wechat-auth] encrypted ${tally.sealed} stored secret(s) with the key ${box.keyId} (AES-256-GCM)`);
      const unreadable = Object.entries(tally.unreadable).map(([what, n]) => `${n} ${what}`);
      if (unreadable.length) {
        strapi.log.error(
          `[wechat-auth] ${unreadable.join(', ')} are encrypted with a key that is not configured ` +
            '(not encryption.key, not in encryption.previousKeys, not derived from the app keys: were APP_KEYS or the encryption key changed?): ' +
            'they cannot be read and count as missing (session keys come back at the next login of each user; an access token is fetched again)'
        );
      }
    },
  };
};
