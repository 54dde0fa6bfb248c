import type { Strapi, WeChatUser } from '../types';
import { hasModel, pluginConfig, pluginStore, query } from '../strapi';
import { asIdentityWrite } from '../lifecycles/identity-guard';
import { getService } from '../utils/get-service';
import { APP_ID_PATTERN, APP_SECRET_PATTERN } from '../utils/app-id';
import { IDENTITY_UID, LEGACY_CREDENTIAL_UID, USER_UID } from '../utils/plugin-id';
import { placeholderIdentity } from './identities';
import { isLegacyShape, normalizeSettings } from './settings-store';

const BATCH = 500;

interface LegacyCredentialRow {
  app_id?: string | null;
  app_secret?: string | null;
}

/**
 * What earlier versions left in the database, brought up to date at every start (each step is
 * idempotent and cheap once done): 1.0's settings shape, 0.0.5's credentials, 0.0.5's accounts
 * without username/email, and the openid 0.0.5/1.0 kept on the user becoming an identity.
 */
export default ({ strapi }: { strapi: Strapi }) => {
  const credentials = () => getService(strapi, 'credentials');
  const hasLegacyAccounts = async () => (await query(strapi, USER_UID).count({ where: { openid: { $notNull: true } } })) > 0;

  /**
   * The app 1.0 was running with (its `appId` in config, or the one saved in 1.0's settings shape):
   * the openids 1.0 kept on the users are that app's, whichever app is the default from now on.
   * The 1.0 settings shape is rewritten in the current one on the way.
   */
  async function recordLegacyAppAndShape() {
    const raw = await pluginStore(strapi).get('settings');
    const stored = normalizeSettings(raw);
    const needed = !stored.legacyAppId && (await hasLegacyAccounts());
    const appId = needed ? pluginConfig(strapi, 'appId') || (isLegacyShape(raw) ? stored.apps[0]?.appId : undefined) : undefined;
    if (appId) await credentials().rewrite({ legacyAppId: appId.toLowerCase() });
    else if (isLegacyShape(raw)) await credentials().rewrite();
  }

  /** The 0.0.5 row's AppSecret is encrypted in place once a key is configured (server/services/secrets-at-rest.ts). */
  function openLegacy(stored: string | null | undefined): string | null {
    return getService(strapi, 'secrets').openOrNull(stored);
  }

  async function readLegacyCredentials(): Promise<LegacyCredentialRow | null> {
    if (!hasModel(strapi, LEGACY_CREDENTIAL_UID)) return null;
    return query<LegacyCredentialRow>(strapi, LEGACY_CREDENTIAL_UID).findOne({});
  }

  /** 0.0.5 kept the AppID/AppSecret in its own table: import them once, when nothing is stored yet. The old row is not touched. */
  async function importLegacyCredentials() {
    const stored = await credentials().stored();
    if (stored.legacyCredentialsImported || stored.apps.length) return;
    const row = await readLegacyCredentials();
    const appId = row?.app_id?.trim();
    const appSecret = openLegacy(row?.app_secret)?.trim();
    if (!appId || !appSecret) return;
    if (!APP_ID_PATTERN.test(appId) || !APP_SECRET_PATTERN.test(appSecret)) {
      strapi.log.warn('[wechat-auth] the credentials saved by version 0.0.5 do not look like an AppID/AppSecret: not imported');
      return;
    }
    await credentials().rewrite({ apps: [{ appId, appSecret }], legacyCredentialsImported: true, legacyAppId: stored.legacyAppId ?? appId.toLowerCase() });
    strapi.log.info(`[wechat-auth] imported the AppID ${appId} and its AppSecret saved by version 0.0.5; set them in the admin panel from now on`);
  }

  /** 0.0.5 created users with no username and no email; the Content Manager cannot save them like that. */
  async function fillPlaceholders() {
    const users = await query<WeChatUser>(strapi, USER_UID).findMany({
      where: { openid: { $notNull: true }, $or: [{ username: { $null: true } }, { email: { $null: true } }] },
      select: ['id', 'openid', 'username', 'email'],
    });
    for (const user of users) {
      const placeholder = placeholderIdentity(user.openid as string);
      const data: Record<string, unknown> = {};
      if (!user.username) data.username = placeholder.username;
      if (!user.email) data.email = placeholder.email;
      await query(strapi, USER_UID).updateMany({ where: { id: user.id }, data });
    }
    if (users.length) strapi.log.info(`[wechat-auth] gave ${users.length} account(s) created by version 0.0.5 a username and an email`);
  }

  /** A session key kept on the user (plaintext, or sealed in place) sealed for its identity; one no key opens is dropped (the next login brings a new one). */
  function resealed(stored: string | null | undefined): string | null {
    const plain = openLegacy(stored);
    return plain ? getService(strapi, 'secrets').seal(plain) : null;
  }

  /** The openid 0.0.5/1.0 kept on the user becomes an identity in the default app (the one they were made with). */
  async function migrateLegacyOpenids() {
    const flag = 'legacyOpenidsMigrated';
    const store = pluginStore(strapi);
    const done = () => getService(strapi, 'identities').legacyAccountsMigrated();
    if (await store.get(flag)) return done();
    // No account of an earlier version at all (a new install): nothing to migrate, ever.
    if (!(await hasLegacyAccounts())) {
      await store.set(flag, true);
      return done();
    }
    const { legacyAppId } = await credentials().fresh();
    if (!legacyAppId) return; // no app yet: logins adopt these accounts one by one (identities service)
    // Pinned, so that a later change of the default app does not move these accounts.
    if (!(await credentials().stored()).legacyAppId) await credentials().rewrite({ legacyAppId });
    let migrated = 0;
    for (let lastId = 0; ;) {
      const users = await query<WeChatUser>(strapi, USER_UID).findMany({
        where: { openid: { $notNull: true }, id: { $gt: lastId } },
        select: ['id', 'openid', 'unionid', 'wechatSessionKey'],
        orderBy: { id: 'asc' },
        limit: BATCH,
      });
      if (!users.length) break;
      lastId = users[users.length - 1].id;
      const known = new Set(
        (
          await query<{ openid: string }>(strapi, IDENTITY_UID).findMany({
            where: { appId: legacyAppId, openid: { $in: users.map((u) => u.openid) } },
            select: ['openid'],
          })
        ).map((identity) => identity.openid)
      );
      for (const user of users.filter((u) => !known.has(u.openid as string))) {
        try {
          await asIdentityWrite(() =>
            query(strapi, IDENTITY_UID).create({
              data: {
                appId: legacyAppId,
                openid: user.openid,
                unionid: user.unionid ?? null,
                sessionKey: resealed(user.wechatSessionKey as string | null),
                user: user.id,
              },
            })
          );
          migrated++;
        } catch {
          // Another instance starting at the same time made it first (unique app_id + openid).
        }
      }
    }
    await store.set(flag, true);
    done();
    if (migrated) strapi.log.info(`[wechat-auth] ${migrated} account(s) of earlier versions now have their WeChat identity in ${legacyAppId}`);
  }

  return {
    async run(): Promise<void> {
      await recordLegacyAppAndShape();
      await importLegacyCredentials();
      await fillPlaceholders();
      await migrateLegacyOpenids();
    },
    migrateLegacyOpenids,
  };
};
