'use strict';

/**
 * npm run bench:steps: what each step of a returning-user login costs in CPU, measured inside one
 * Strapi process (the playground build, booted in-process, production mode) with the simulator in
 * a process of its own. Each step runs 3,000 times, 16 at a time, after a warm-up; the figure is
 * this process's CPU time (user + system, all threads) per operation. Beside the plugin's steps,
 * references: the same work done the cheapest way Node and knex allow, to show what the Strapi
 * conventions the plugin follows (query engine, axios, users-permissions' sanitizer) cost.
 *
 *   npm run bench:steps                           SQLite (a fresh file)
 *   DATABASE_CLIENT=postgres|mysql npm run bench:steps
 *
 * Writes bench/results/steps-<database>.{json,md}.
 */
const fs = require('fs');
const http = require('http');
const path = require('path');
const { DB, PLAYGROUND, RESULTS, ROOT } = require('./options');
const { prepareDatabase } = require('./database');
const { preparePlayground } = require('./playground');
const { startSimulator, stopProcess } = require('./processes');
const { machine } = require('./report');
const { round } = require('./stats');

const OPERATIONS = Number(process.env.BENCH_STEP_OPERATIONS || 3000);
const CONCURRENCY = 16;
const PLUGIN = 'strapi-wechat-miniprogram-auth';
const IDENTITY_UID = 'plugin::strapi-wechat-miniprogram-auth.identity';
const USER_UID = 'plugin::users-permissions.user';

async function cpuPerOperation(operation) {
  const run = async (count) => {
    let left = count;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (left-- > 0) await operation();
      })
    );
  };
  await run(1000);
  const before = process.cpuUsage();
  await run(OPERATIONS);
  const used = process.cpuUsage(before);
  return round((used.user + used.system) / OPERATIONS, 1);
}

async function main() {
  await preparePlayground();
  const database = await prepareDatabase('wxauth_bench_steps', '.tmp/bench-steps.db');
  const { child: simulator, port: simPort } = await startSimulator(ROOT, 'steps-simulator');

  Object.assign(process.env, database, {
    NODE_ENV: 'production',
    WECHAT_API_BASE_URL: `http://127.0.0.1:${simPort}`,
    WECHAT_RATELIMIT_ENABLED: 'false',
    STRAPI_TELEMETRY_DISABLED: 'true',
  });
  process.chdir(PLAYGROUND);
  const createStrapi = require('@strapi/strapi');
  const { sanitize } = require('@strapi/utils');
  const strapi = createStrapi({ appDir: PLAYGROUND, distDir: path.join(PLAYGROUND, 'dist'), autoReload: false, serveAdminPanel: false });
  strapi.log.level = 'error';
  try {
    await strapi.load();
    const service = (name) => strapi.plugin(PLUGIN).service(name);
    const { appId, appSecret } = await service('credentials').get();
    let codes = 0;
    const code = () => `sim_stepsuser_${process.pid}x${(codes += 1)}`;
    const session = await service('wechat').client().code2session(appId, appSecret, code());
    await service('login').login({ code: code() });
    const identity = await strapi.db.query(IDENTITY_UID).findOne({ where: { appId, openid: session.openid }, populate: ['user'] });
    const user = await strapi.db.query(USER_UID).findOne({ where: { id: identity.user.id } });
    const knex = strapi.db.connection;
    const table = strapi.db.metadata.get(USER_UID).tableName;
    const identityTable = strapi.db.metadata.get(IDENTITY_UID).tableName;
    const agent = new http.Agent({ keepAlive: true });
    const rawCode2session = () =>
      new Promise((resolve, reject) => {
        const query = new URLSearchParams({ appid: appId, secret: appSecret, js_code: code(), grant_type: 'authorization_code' });
        http
          .get({ host: '127.0.0.1', port: simPort, path: `/sns/jscode2session?${query}`, agent }, (res) => {
            let body = '';
            res.setEncoding('utf8');
            res.on('data', (chunk) => (body += chunk));
            res.on('end', () => resolve(JSON.parse(body)));
          })
          .on('error', reject);
      });
    const freshSession = () => ({ ...session, sessionKey: `k${Math.random().toString(36).slice(2)}` });

    const steps = [
      ['WeChat code2session (axios, keep-alive, deadline)', () => service('wechat').client().code2session(appId, appSecret, code())],
      ['  reference: the same GET with node:http', rawCode2session],
      ['the app and its AppSecret (merged list, kept credentialsCacheTtl)', () => service('credentials').get()],
      ['  reference: the settings row through strapi.store().get()', () => strapi.store({ type: 'plugin', name: PLUGIN }).get({ key: 'settings' })],
      [
        'identity + user: find, store the session key (identity-sql)',
        () => service('identities').upsert({ appId, isLegacyApp: false, session: freshSession() }),
      ],
      [
        '  reference: identity with its user through the query engine',
        () => strapi.db.query(IDENTITY_UID).findOne({ where: { appId, openid: session.openid }, populate: ['user'] }),
      ],
      ['  reference: the user row alone with knex', () => knex(table).where({ id: user.id }).first()],
      [
        '  reference: the identity UPDATE with knex',
        () => knex(identityTable).where({ id: identity.id }).update({ session_key: freshSession().sessionKey, updated_at: new Date() }),
      ],
      ['JWT (token service, KeyObject)', async () => service('token').issue(user.id)],
      ['  reference: users-permissions jwt.issue (string secret)', async () => strapi.plugin('users-permissions').service('jwt').issue({ id: user.id })],
      ['sanitize the user (users-permissions output sanitizer)', () => sanitize.contentAPI.output(user, strapi.getModel(USER_UID), {})],
      ['login service, all of the above in one returning-user login (no HTTP)', () => service('login').login({ code: code() })],
    ];
    const results = [];
    for (const [name, operation] of steps) {
      const cpuUs = await cpuPerOperation(operation);
      results.push({ name, cpuUs });
      console.log(`  ${name.padEnd(58)} ${String(cpuUs).padStart(8)} µs CPU/op`);
    }
    agent.destroy();

    const report = { date: new Date().toISOString(), machine: machine(), operations: OPERATIONS, concurrency: CONCURRENCY, steps: results };
    const lines = [
      `Machine: ${report.machine.cores} cores (${report.machine.cpu}), Node ${report.machine.node}, Strapi ${report.machine.strapi}, ${DB}; ` +
        `${OPERATIONS} operations per step, ${CONCURRENCY} at a time, ${report.date}.`,
      '',
      '| Step of a returning-user login | Strapi CPU µs per operation |',
      '|---|---:|',
      ...results.map((r) => `| ${r.name.startsWith('  ') ? '&nbsp;&nbsp;' + r.name.trim() : r.name} | ${r.cpuUs} |`),
    ];
    fs.writeFileSync(path.join(RESULTS, `steps-${DB}.json`), JSON.stringify(report, null, 2) + '\n');
    fs.writeFileSync(path.join(RESULTS, `steps-${DB}.md`), lines.join('\n') + '\n');
    console.log(`\nWritten to bench/results/steps-${DB}.md`);
  } finally {
    await strapi.destroy().catch(() => {});
    await stopProcess(simulator);
  }
}

main()
  .then(() => process.exit(0))
  .catch((error) => {
    console.error(error);
    process.exit(1);
  });
