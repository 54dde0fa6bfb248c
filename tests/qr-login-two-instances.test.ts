/**
 * Logging in on the web by scanning a mini program code, served by two Strapi processes on one
 * database (PostgreSQL; MariaDB/MySQL when DATABASE_CLIENT=mysql), as behind a load balancer: the
 * ticket created on one instance is scanned and confirmed on the other and collected on the first;
 * races between the instances (two users scanning, several reads collecting) are settled by the
 * database: one scanner, one login. Skipped, with a message, when the database server is
 * unreachable and CI is not set.
 */
import type { Knex } from 'knex';
import { Instance, startTwoInstances, stopTwoInstances, describeOnDatabaseServer } from './helpers/instances';
import { DatabaseSpec, sharedDatabaseClient } from './helpers/database';
import { expectNoSecrets, login, ResponseLog } from './helpers/login';
import { createTicket, CreatedTicket, QR_LOGIN_TABLE, readTicket, ticketAction } from './helpers/qr-login';
import { DEMO_APP, WeChatSimulator } from '../simulator/wechat-simulator';

const CLIENT = sharedDatabaseClient();
const APP = DEMO_APP;

const describeShared = describeOnDatabaseServer(CLIENT, 'qr-login-two-instances.test.ts');

describeShared(`QR login on two Strapi instances on one ${CLIENT} database`, () => {
  const sim = new WeChatSimulator({ apps: [APP] });
  const responses = new ResponseLog();
  let a: Instance;
  let b: Instance;
  let database: DatabaseSpec;
  let db: Knex;

  beforeAll(async () => {
    const apiBaseUrl = await sim.start();
    const pluginConfig = {
      apiBaseUrl,
      timeout: 10000,
      apps: [{ appId: APP.appId, appSecret: APP.appSecret }],
      qrLogin: { enabled: true, checkPath: false, ratelimit: false },
    };
    ({ a, b, database, db } = await startTwoInstances(CLIENT, { name: 'qr-two-instances', pluginConfig }));
  }, 240_000);

  afterAll(async () => {
    await stopTwoInstances({ a, b, database, db });
    await sim.stop();
  }, 60_000);

  async function ticketOn(instance: Instance): Promise<CreatedTicket> {
    const res = responses.add(await createTicket(instance.url));
    expect(res.status).toBe(200);
    return res.body as CreatedTicket;
  }

  async function userOn(instance: Instance, name: string): Promise<{ jwt: string; id: number }> {
    const res = responses.add(await login(instance.url, { code: sim.issueCode(APP.appId, name) }));
    expect(res.status).toBe(200);
    return { jwt: res.body.token as string, id: res.body.user.id as number };
  }

  test('created on A, scanned and confirmed on B, collected on A, once', async () => {
    const { ticket, secret } = await ticketOn(a);
    const alice = await userOn(b, 'alice');
    const scan = responses.add(await ticketAction(b.url, ticket, 'scan', alice.jwt));
    expect(scan.status).toBe(200);
    expect((await readTicket(a.url, ticket, secret)).body).toEqual({ status: 'scanned' });
    expect(responses.add(await ticketAction(b.url, ticket, 'confirm', alice.jwt)).status).toBe(200);
    const collected = responses.add(await readTicket(a.url, ticket, secret));
    expect(collected.body).toMatchObject({ status: 'confirmed', jwt: expect.any(String), user: { id: alice.id } });
    // Neither instance hands it out again.
    for (const instance of [a, b]) expect(responses.add(await readTicket(instance.url, ticket, secret)).body).toEqual({ status: 'confirmed' });
    expect((await db(QR_LOGIN_TABLE).where({ ticket }).first()).status).toBe('collected');
  });

  test('two users scanning at once on the two instances: one wins; the other cannot confirm', async () => {
    const { ticket, secret } = await ticketOn(b);
    const [alice, bob] = [await userOn(a, 'alice'), await userOn(b, 'bob')];
    const scans = await Promise.all([ticketAction(a.url, ticket, 'scan', alice.jwt), ticketAction(b.url, ticket, 'scan', bob.jwt)]);
    expect(scans.map((r) => r.status).sort()).toEqual([200, 409]);
    const [winner, loser] = scans[0].status === 200 ? [alice, bob] : [bob, alice];
    for (const instance of [a, b]) expect((await ticketAction(instance.url, ticket, 'confirm', loser.jwt)).status).toBe(409);
    expect((await ticketAction(a.url, ticket, 'confirm', winner.jwt)).status).toBe(200);
    expect((await readTicket(b.url, ticket, secret)).body.user.id).toBe(winner.id);
  });

  test('many reads at once on both instances after the confirmation: exactly one carries the login', async () => {
    for (let round = 0; round < 3; round++) {
      const { ticket, secret } = await ticketOn(a);
      const carol = await userOn(a, 'carol');
      await ticketAction(b.url, ticket, 'scan', carol.jwt);
      await ticketAction(a.url, ticket, 'confirm', carol.jwt);
      const reads = await Promise.all(Array.from({ length: 10 }, (_, i) => readTicket(i % 2 ? a.url : b.url, ticket, secret)));
      expect(reads.map((r) => r.status)).toEqual(Array.from({ length: 10 }, () => 200));
      expect(reads.filter((r) => r.body.jwt)).toHaveLength(1);
    }
  });

  test('a ticket expired in the database is expired on both instances; long expired, a read on either deletes it', async () => {
    const { ticket, secret } = await ticketOn(b);
    await db(QR_LOGIN_TABLE)
      .where({ ticket })
      .update({ expires_at: Date.now() - 1000 });
    for (const instance of [a, b]) expect((await readTicket(instance.url, ticket, secret)).body).toEqual({ status: 'expired' });
    await db(QR_LOGIN_TABLE)
      .where({ ticket })
      .update({ expires_at: Date.now() - 60 * 60_000 });
    expect((await readTicket(a.url, ticket, secret)).status).toBe(404);
    expect(await db(QR_LOGIN_TABLE).where({ ticket }).first()).toBeUndefined();
    expectNoSecrets([...a.output, ...b.output].join(''), [secret]);
  });
});
