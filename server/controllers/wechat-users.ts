import type { Context } from 'koa';
import type { Strapi } from '../types';
import type { AuditAction, AuditActor } from '../services/audit-log';
import { userNotFound, type ModerationResult, type RecordAction } from '../services/user-moderation';
import { getService } from '../utils/get-service';
import { validateIdentityParams, validateSearch, validateUserParams } from './validation/wechat-users';

const actorOf = (ctx: Context): AuditActor => {
  const user = (ctx.state as { user?: { id?: unknown; email?: unknown } }).user;
  return { id: typeof user?.id === 'number' ? user.id : null, email: typeof user?.email === 'string' ? user.email : null };
};

/**
 * The admin panel's WeChat users view (admin JWT + RBAC, see routes): search, one person's card, and the actions on
 * it. Every answer is built field by field (server/services/user-directory.ts): no session key, secret or full phone
 * number. Each action that changed something is recorded in the audit log (in its own transaction), and answers the
 * card as it is now.
 */
export default ({ strapi }: { strapi: Strapi }) => {
  const directory = () => getService(strapi, 'userDirectory');
  const moderation = () => getService(strapi, 'userModeration');

  async function cardOf(userId: number) {
    const card = await directory().card(userId);
    if (!card) throw userNotFound(userId);
    return { ...card, audit: await getService(strapi, 'auditLog').forUser(userId) };
  }

  /** Runs one action on the user of the route (which records it when it changed something), answers the card. */
  const action =
    (name: AuditAction, run: (userId: number, record: RecordAction, ctx: Context) => Promise<ModerationResult>) =>
    async (ctx: Context): Promise<void> => {
      const { id } = await validateUserParams(ctx.params);
      const record: RecordAction = (details) => getService(strapi, 'auditLog').record(actorOf(ctx), name, id, details);
      const { changed } = await run(id, record, ctx);
      ctx.body = { data: { changed, user: await cardOf(id) } };
    };

  return {
    async search(ctx: Context) {
      const { term } = await validateSearch(ctx.request.body);
      ctx.body = { data: await directory().search(term.trim()) };
    },

    async findOne(ctx: Context) {
      const { id } = await validateUserParams(ctx.params);
      ctx.body = { data: await cardOf(id) };
    },

    clearNickname: action('clear-nickname', (id, record) => moderation().clearNickname(id, record)),
    clearAvatar: action('clear-avatar', (id, record) => moderation().clearAvatar(id, record)),
    unbindPhone: action('unbind-phone', (id, record) => moderation().unbindPhone(id, record)),
    detachIdentity: action('detach-identity', async (id, record, ctx) => {
      const { identityId } = await validateIdentityParams(ctx.params);
      return moderation().detachIdentity(id, identityId, record);
    }),
    block: action('block', (id, record) => moderation().setBlocked(id, true, record)),
    unblock: action('unblock', (id, record) => moderation().setBlocked(id, false, record)),
  };
};
