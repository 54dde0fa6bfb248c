import type { Strapi, WeChatUser } from '../types';
import { hasModel, knex, modelMetadata, pluginConfig, pluginStore, query, transaction } from '../strapi';
import { asIdentityWrite } from '../lifecycles/identity-guard';
import { getService } from '../utils/get-service';
import { APP_ID_PATTERN, APP_SECRET_PATTERN } from '../utils/app-id';
import { IDENTITY_UID, LEGACY_CREDENTIAL_UID, USER_UID } from '../utils/plugin-id';
import { placeholderIdentity } from './identities';
import { isLegacyShape, normalizeSettings } from './settings-store';

const BATCH = 500;
const LEGACY_MIGRATED_FLAG = 'legacyOpenidsMigrated';
/** How many people's account ids one warning lists at most. */
const LISTED_DUPLICATES = 50;

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

  /**
   * The accounts 0.0.5 made for one openid, per person, oldest first: its login looked the openid up
   * and created a user when it found none, with no unique index and no re-read, so one person's
   * simultaneous first logins each made one.
   */
  async function duplicateLegacyAccounts(): Promise<number[][]> {
    const users = modelMetadata(strapi, USER_UID);
    const openid = users.attributes.openid?.columnName ?? 'openid';
    const db = knex(strapi);
    const rows = await db<Record<string, unknown>>(users.tableName)
      .select(['id', openid])
      .whereIn(openid, db(users.tableName).select(openid).whereNotNull(openid).groupBy(openid).havingRaw('count(*) > 1'))
      .orderBy([openid, 'id']);
    const groups = new Map<string, number[]>();
    for (const row of rows) {
      const value = String(row[openid]);
      groups.set(value, [...(groups.get(value) ?? []), Number(row.id)]);
    }
    return [...groups.values()].map((ids) => ids.sort((a, b) => a - b));
  }

  /** All but the oldest account of each person: kept as they are, never logged into by WeChat. */
  const extraAccounts = (groups: number[][]) => new Set(groups.flatMap((ids) => ids.slice(1)));

  /** One warning: how many people, which accounts (ids only, never an openid), and what happens to them. */
  function reportDuplicates(groups: number[][]) {
    if (!groups.length) return;
    const listed = groups.slice(0, LISTED_DUPLICATES).map((ids) => ids.map((id) => `#${id}`).join(', '));
    const more = groups.length > LISTED_DUPLICATES ? `; and ${groups.length - LISTED_DUPLICATES} more` : '';
    strapi.log.warn(
      `[wechat-auth] ${groups.length} person(s) have several accounts for one WeChat openid, made by version 0.0.5 when their first logins overlapped: ` +
        `${listed.join('; ')}${more}. Each person logs in to the oldest of their accounts (the first listed); the others are kept as they are, ` +
        'nothing is merged or deleted: merge or delete them in the Content Manager'
    );
  }

  /** Users with a legacy openid and no username or email (0.0.5 created them so). */
  function usersWithoutPlaceholders() {
    return query<WeChatUser>(strapi, USER_UID).findMany({
      where: { openid: { $notNull: true }, $or: [{ username: { $null: true } }, { email: { $null: true } }] },
      select: ['id', 'openid', 'username', 'email'],
    });
  }

  /** 0.0.5 created users with no username and no email; the Content Manager cannot save them like that. The extra accounts of a person stay as they are. */
  async function fillPlaceholders(users: WeChatUser[], extras: Set<number>) {
    let filled = 0;
    for (const user of users.filter((u) => !extras.has(u.id))) {
      const placeholder = placeholderIdentity(user.openid as string);
      const data: Record<string, unknown> = {};
      if (!user.username) data.username = placeholder.username;
      if (!user.email) data.email = placeholder.email;
      await query(strapi, USER_UID).updateMany({ where: { id: user.id }, data });
      filled++;
    }
    if (filled) strapi.log.info(`[wechat-auth] gave ${filled} account(s) created by version 0.0.5 a username and an email`);
  }

  /** A session key kept on the user (plaintext, or sealed in place) sealed for its identity; one no key opens is dropped (the next login brings a new one). */
  function resealed(stored: string | null | undefined): string | null {
    const plain = openLegacy(stored);
    return plain ? getService(strapi, 'secrets').seal(plain) : null;
  }

  /**
   * The openid 0.0.5/1.0 kept on the user becomes an identity in the legacy app (the one they were
   * made with); of several accounts with one openid, the oldest's.
   */
  async function migrateLegacyOpenids() {
    const flag = LEGACY_MIGRATED_FLAG;
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
    const extras = extraAccounts(await duplicateLegacyAccounts());
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
      for (const user of users.filter((u) => !known.has(u.openid as string) && !extras.has(u.id))) {
        try {
          // The row and its link to the user in one transaction: never an identity without its user.
          await transaction(strapi, () =>
            asIdentityWrite(() =>
              query(strapi, IDENTITY_UID).create({
                data: {
                  appId: legacyAppId,
                  openid: user.openid,
                  unionid: user.unionid ?? null,
                  sessionKey: resealed(user.wechatSessionKey as string | null),
                  user: user.id,
                },
              })
            )
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

  /** Identities whose user no longer exists (deleted by a version that kept them): personal data with no account. */
  async function deleteIdentitiesWithoutUser() {
    const count = await getService(strapi, 'identities').deleteWithoutUser();
    if (count) strapi.log.info(`[wechat-auth] deleted ${count} WeChat identity(ies) whose user no longer exists`);
  }

  return {
    async run(): Promise<void> {
      await recordLegacyAppAndShape();
      await importLegacyCredentials();
      const withoutPlaceholders = await usersWithoutPlaceholders();
      // Until every legacy account has its identity, and while extra accounts are left as they are.
      const duplicates = withoutPlaceholders.length || !(await pluginStore(strapi).get(LEGACY_MIGRATED_FLAG)) ? await duplicateLegacyAccounts() : [];
      reportDuplicates(duplicates);
      await fillPlaceholders(withoutPlaceholders, extraAccounts(duplicates));
      await migrateLegacyOpenids();
      await deleteIdentitiesWithoutUser();
    },
    migrateLegacyOpenids,
  };
};
