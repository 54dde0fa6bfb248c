/**
 * The articles the example mini program (examples/miniprogram) lists: two entries and the `find`/`findOne`
 * permissions for the Public and Authenticated roles, once (a store flag), so that later edits in the admin stay.
 */
const ARTICLE_UID = 'api::article.article';
const ACTIONS = [`${ARTICLE_UID}.find`, `${ARTICLE_UID}.findOne`];

const ARTICLES = [
  { title: 'Hello from Strapi', summary: 'Listed by the example mini program with the client library (client.request).' },
  { title: '你好，小程序', summary: '示例小程序通过客户端库读取的 Strapi 集合类型条目。' },
];

interface Query {
  findOne(params: { where: Record<string, unknown> }): Promise<{ id: number } | null>;
  create(params: { data: Record<string, unknown> }): Promise<unknown>;
}

export interface SeedStrapi {
  db: { query(uid: string): Query };
  store(params: { type: string; name: string }): {
    get(params: { key: string }): Promise<unknown>;
    set(params: { key: string; value: unknown }): Promise<void>;
  };
  log: { info(message: string): void };
}

export async function seedArticles(strapi: SeedStrapi): Promise<void> {
  const store = strapi.store({ type: 'core', name: 'playground' });
  if (await store.get({ key: 'articles-seeded' })) return;
  for (const data of ARTICLES) await strapi.db.query(ARTICLE_UID).create({ data });
  for (const type of ['public', 'authenticated']) {
    const role = await strapi.db.query('plugin::users-permissions.role').findOne({ where: { type } });
    if (!role) continue;
    for (const action of ACTIONS) {
      const permissions = strapi.db.query('plugin::users-permissions.permission');
      if (!(await permissions.findOne({ where: { action, role: role.id } }))) await permissions.create({ data: { action, role: role.id } });
    }
  }
  await store.set({ key: 'articles-seeded', value: true });
  strapi.log.info('[playground] added two articles, readable by the Public and Authenticated roles (GET /api/articles)');
}
