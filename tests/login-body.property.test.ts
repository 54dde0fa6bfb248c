/**
 * Property-based tests (fast-check) of the login body. Whatever arrives — any JSON value, odd
 * types, long or unicode strings, duplicate keys, `__proto__` / `constructor` / `prototype` keys at
 * any depth, or text that is not JSON at all — the answer is never a 5xx, a body the contract
 * refuses never creates a user, and nothing lands on Object.prototype (Strapi runs in this process).
 *
 * The contract (README / issue 2): a plain JSON object `{ code, userInfo? }`; `code` a string of
 * 1–128 printable ASCII characters; `userInfo` absent or a plain object with only the known
 * profile fields, each with its type and size bound. `oracle()` below states it independently of
 * the plugin's validator.
 */
import fc from 'fast-check';
import { startTestApp, TestApp } from './helpers/test-app';
import { userByOpenid } from './helpers/identities';
import { expectNoSecrets, login, ResponseLog } from './helpers/login';
import { DEMO_APP, WeChatSimulator } from '../simulator/wechat-simulator';

const USER_UID = 'plugin::users-permissions.user';
/** FC_RUNS=10 runs every property ten times as often (FC_SEED=<n> replays a reported failure). */
const runs = (n: number) => ({ numRuns: n * Number(process.env.FC_RUNS || 1), ...(process.env.FC_SEED ? { seed: Number(process.env.FC_SEED) } : {}) });
const sim = new WeChatSimulator();
const responses = new ResponseLog();
let app: TestApp;
let prototypeBefore: string[];

beforeAll(async () => {
  const apiBaseUrl = await sim.start();
  app = await startTestApp({
    name: 'login-body-property',
    pluginConfig: { apiBaseUrl, appId: DEMO_APP.appId, appSecret: DEMO_APP.appSecret, ratelimit: { enabled: false } },
  });
  prototypeBefore = Object.getOwnPropertyNames(Object.prototype).sort();
});

afterAll(async () => {
  await app?.stop();
  await sim.stop();
});

// ---------------------------------------------------------------------------------------------
// JSON text with full control over keys (so `__proto__` is an own key, as JSON.parse makes it)

type Node = { raw: string } | { array: Node[] } | { entries: Array<[string, Node]> };

const text = (node: Node): string =>
  'raw' in node
    ? node.raw
    : 'array' in node
      ? `[${node.array.map(text).join(',')}]`
      : `{${node.entries.map(([k, v]) => `${JSON.stringify(k)}:${text(v)}`).join(',')}}`;

const raw = (value: unknown): Node => ({ raw: JSON.stringify(value) });
const obj = (entries: Array<[string, Node]>): Node => ({ entries });

const PROTO_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'valueOf', 'hasOwnProperty', '__defineGetter__', 'isAdmin'];
const PROFILE_FIELDS = ['nickName', 'avatarUrl', 'gender', 'language', 'city', 'province', 'country', 'is_demote'];

const anyString = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 90 }),
  fc.string({ unit: 'binary-ascii', minLength: 100, maxLength: 1200 })
);
const key = fc.oneof(fc.constantFrom(...PROTO_KEYS, ...PROFILE_FIELDS, 'code', 'userInfo'), fc.string({ unit: 'binary', maxLength: 10 }));
const leaf: fc.Arbitrary<Node> = fc.oneof(
  fc.constantFrom(null, true, false, 0, -1, 1, 2, 3, 1.5).map(raw),
  fc.constantFrom('-0', '1e400', '-1e400', '1E2', '0.0', '2.0', '123456789012345678901234567890').map((r) => ({ raw: r })),
  fc.double({ noNaN: true, noDefaultInfinity: true }).map(raw),
  anyString.map(raw)
);
const { tree } = fc.letrec<{ tree: Node }>((self) => ({
  tree: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf,
    fc.array(self('tree'), { maxLength: 4 }).map((array) => ({ array })),
    fc.array(fc.tuple(key, self('tree')), { maxLength: 5 }).map(obj)
  ),
}));

/** Values for each profile field: mostly plausible, often not. */
const fieldValue = (field: string): fc.Arbitrary<Node> => {
  const str = (max: number) =>
    fc
      .oneof(
        fc.string({ unit: 'grapheme', maxLength: max }),
        fc.string({ unit: 'binary', maxLength: max + 8 }),
        // PostgreSQL refuses NUL in text and jsonb: a 500 there until control characters were refused.
        fc.constantFrom('a\u0000b', 'tab\there', 'del\u007f', 'c1\u0085', 'lone\ud800', 'pair\ud83d\ude00')
      )
      .map(raw);
  switch (field) {
    case 'gender':
      return fc.oneof(fc.constantFrom(0, 1, 2).map(raw), leaf);
    case 'is_demote':
      return fc.oneof(fc.boolean().map(raw), leaf);
    case 'avatarUrl':
      return fc.oneof(
        fc.constantFrom('https://thirdwx.qlogo.cn/mmopen/vi_32/abc/132', 'http://a.b/c', '', 'javascript:alert(1)', 'https://a b', 'ftp://x/y').map(raw),
        fc.string({ unit: 'grapheme-ascii', maxLength: 1100 }).map((s) => raw(`https://x.test/${s}`)),
        leaf
      );
    case 'language':
      return fc.oneof(str(34), leaf);
    default:
      return fc.oneof(str(66), leaf, tree);
  }
};

const userInfoNode: fc.Arbitrary<Node> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc
      .tuple(
        fc.subarray(PROFILE_FIELDS).chain((fields) => fc.tuple(...fields.map((f) => fieldValue(f).map((v) => [f, v] as [string, Node])))),
        fc.array(fc.tuple(key, tree), { maxLength: 2 }),
        fc.nat(3)
      )
      .map(([fields, extras, where]) => obj(where === 0 ? [...fields, ...extras] : fields)),
  },
  { weight: 1, arbitrary: tree }
);

// ---------------------------------------------------------------------------------------------
// The contract, stated independently of the plugin's validator

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v) && !Object.prototype.hasOwnProperty.call(v, '__proto__');
// Stored profile text holds no control character (C0, DEL, C1) and no lone surrogate.
const isPlainText = (v: string) =>
  [...v].every((ch) => {
    const c = ch.codePointAt(0)!;
    return c > 0x1f && !(c >= 0x7f && c <= 0x9f) && !(c >= 0xd800 && c <= 0xdfff);
  });
const boundedString = (max: number) => (v: unknown) => typeof v === 'string' && v.length <= max && isPlainText(v);
const FIELD_RULES: Record<string, (v: unknown) => boolean> = {
  nickName: boundedString(64),
  avatarUrl: (v) => boundedString(1024)(v) && (v === '' || /^https?:\/\/[^\s]+$/.test(v as string)),
  gender: (v) => v === 0 || v === 1 || v === 2,
  language: boundedString(32),
  city: boundedString(64),
  province: boundedString(64),
  country: boundedString(64),
  is_demote: (v) => typeof v === 'boolean',
};

type Verdict = 'valid' | 'invalid' | 'either';

/** 'either': only keys the contract does not mention at the top level — accepting or refusing them are both fine. */
function oracle(body: unknown): Verdict {
  if (!isPlainObject(body)) return 'invalid';
  const { code, userInfo } = body;
  if (typeof code !== 'string' || code.length < 1 || code.length > 128 || !/^[\x21-\x7e]+$/.test(code)) return 'invalid';
  if (Object.prototype.hasOwnProperty.call(body, 'userInfo')) {
    if (!isPlainObject(userInfo)) return 'invalid';
    for (const [field, value] of Object.entries(userInfo)) {
      if (!Object.prototype.hasOwnProperty.call(FIELD_RULES, field) || !FIELD_RULES[field](value)) return 'invalid';
    }
  }
  return Object.keys(body).every((k) => k === 'code' || k === 'userInfo') ? 'valid' : 'either';
}

// ---------------------------------------------------------------------------------------------

let serial = 0;
const nextUser = () => `prop${Date.now().toString(36)}${(serial++).toString(36)}`;
const userFor = (user: string) => userByOpenid(app.strapi, sim.openidFor(DEMO_APP.appId, user));

async function send(body: string) {
  const res = responses.add(await login(app.server, body));
  expect(res.status).toBeLessThan(500);
  expect(res.status).toBeGreaterThanOrEqual(200);
  if (res.status >= 400) expect(res.body?.error?.status).toBe(res.status);
  return res;
}

/** Code values around a fresh, valid wx.login code: the code itself, or something the contract refuses. */
const codeNode = (code: string): fc.Arbitrary<Node> =>
  fc.oneof(
    { weight: 5, arbitrary: fc.constant(raw(code)) },
    {
      weight: 2,
      arbitrary: fc.oneof(
        fc.constantFrom('', ' ', `${code} `, `${code}\u0000`, `${code}é`, `${code}${'x'.repeat(130)}`, `\t${code}`).map(raw),
        leaf.filter((n) => 'raw' in n && !n.raw.startsWith('"')),
        fc.constant<Node>({ array: [raw(code)] }),
        fc.constant(obj([['code', raw(code)]]))
      ),
    }
  );

test('a body around a valid code: accepted exactly when the contract says so, and only then is a user created', async () => {
  const extras = fc.array(
    fc.tuple(
      key.filter((k) => k !== 'code' && k !== 'userInfo'),
      tree
    ),
    { maxLength: 2 }
  );
  const shape = fc.record({
    userInfo: fc.option(userInfoNode, { nil: undefined, freq: 3 }),
    extras: fc.option(extras, { nil: undefined, freq: 2 }),
    duplicateUserInfo: fc.option(userInfoNode, { nil: undefined, freq: 8 }),
  });
  let accepted = 0;
  let refused = 0;
  await fc.assert(
    fc.asyncProperty(
      shape.chain((s) => {
        const user = nextUser();
        return codeNode(`sim_${user}_1`).map((code) => ({ ...s, user, code }));
      }),
      async ({ user, code, userInfo, extras: more, duplicateUserInfo }) => {
        const entries: Array<[string, Node]> = [['code', code]];
        if (userInfo) entries.push(['userInfo', userInfo]);
        if (more) entries.push(...more);
        if (duplicateUserInfo) entries.push(['userInfo', duplicateUserInfo]); // JSON.parse: the last one wins
        const body = text(obj(entries));
        const verdict = oracle(JSON.parse(body));
        const res = await send(body);
        const created = await userFor(user);

        if (verdict === 'invalid' || (verdict === 'either' && res.status !== 200)) {
          expect({ status: res.status, created: Boolean(created) }).toEqual({ status: 400, created: false });
          refused += 1;
        } else {
          expect({ status: res.status, created: Boolean(created), verdict }).toEqual({ status: 200, created: true, verdict });
          const parsed = JSON.parse(body);
          expect(res.body.user.openid).toBe(sim.openidFor(DEMO_APP.appId, user));
          // As JSON carries it back: JSON has no -0 (a gender of -0 is answered as 0).
          expect(res.body.user.wechatUserInfo ?? null).toEqual(JSON.parse(JSON.stringify(parsed.userInfo ?? null)));
          accepted += 1;
        }
      }
    ),
    runs(200)
  );
  // The generators reach both sides of the contract.
  expect(accepted).toBeGreaterThan(10);
  expect(refused).toBeGreaterThan(10);
});

test('any JSON value as the body: never a 5xx, never a user', async () => {
  const before = await app.strapi.db.query(USER_UID).count();
  await fc.assert(
    fc.asyncProperty(fc.oneof(tree, fc.jsonValue({ stringUnit: 'binary' }).map(raw)), async (node) => {
      const body = text(node);
      const res = await send(body);
      const verdict = oracle(JSON.parse(body));
      // A code that passes the contract is still one WeChat never issued.
      expect(res.status).toBe(verdict === 'invalid' ? 400 : res.status);
      expect([400, 413, 415]).toContain(res.status);
    }),
    runs(150)
  );
  expect(await app.strapi.db.query(USER_UID).count()).toBe(before);
});

test('text that may not be JSON at all (with a JSON content type): never a 5xx, never a user', async () => {
  const before = await app.strapi.db.query(USER_UID).count();
  const almostJson = fc.tuple(tree, fc.nat(), fc.string({ unit: 'binary', maxLength: 3 })).map(([node, cut, junk]) => {
    const t = text(node);
    const at = cut % (t.length + 1);
    return t.slice(0, at) + junk + t.slice(at);
  });
  await fc.assert(
    fc.asyncProperty(fc.oneof(fc.string({ unit: 'binary', maxLength: 200 }), almostJson), async (body) => {
      const res = await send(body);
      expect(res.status).not.toBe(200);
    }),
    runs(150)
  );
  expect(await app.strapi.db.query(USER_UID).count()).toBe(before);
});

test('prototype keys at any depth, around valid codes: no user from a refused body, nothing on Object.prototype', async () => {
  const pollute = fc.constantFrom(...PROTO_KEYS).chain((k) =>
    fc
      .constantFrom<Node>(
        obj([
          [
            k,
            obj([
              ['isAdmin', raw(true)],
              ['polluted', raw('yes')],
            ]),
          ],
        ]),
        obj([[k, obj([['prototype', obj([['polluted', raw('yes')]])]])]]),
        obj([
          ['nickName', raw('x')],
          [k, raw('yes')],
        ])
      )
      .map((n) => [k, n] as const)
  );
  await fc.assert(
    fc.asyncProperty(pollute, fc.constantFrom('top', 'userInfo', 'both'), async ([k, node], where) => {
      const user = nextUser();
      const entries: Array<[string, Node]> = [['code', raw(`sim_${user}_1`)]];
      if (where !== 'userInfo') entries.push(...('entries' in node ? node.entries : []));
      if (where !== 'top') entries.push(['userInfo', node]);
      const body = text(obj(entries));
      const verdict = oracle(JSON.parse(body));
      const res = await send(body);
      const created = Boolean(await userFor(user));
      if (verdict === 'invalid') expect({ key: k, status: res.status, created }).toEqual({ key: k, status: 400, created: false });
      if (verdict === 'valid') expect({ key: k, status: res.status, created }).toEqual({ key: k, status: 200, created: true });
      if (verdict === 'either') expect(created).toBe(res.status === 200);
    }),
    runs(120)
  );
  expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(prototypeBefore);
  expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
});

test('a body over the size limit is refused without a 5xx', async () => {
  const user = nextUser();
  const res = await send(JSON.stringify({ code: `sim_${user}_1`, userInfo: { nickName: 'x'.repeat(3 * 1024 * 1024) } }));
  expect(res.status).toBe(413);
  expect(await userFor(user)).toBeNull();
});

// A few kilobytes of brackets: JSON.parse takes them, but yup's error message printer
// (printValue -> JSON.stringify) recurses once per level and overflows the stack.
test.each([
  ['code', 3000],
  ['userInfo', 3000],
  ['userInfo.city', 100_000],
])('a value nested in %s, %i levels deep, is a 400, not a 500', async (where, depth) => {
  const user = nextUser();
  const nested = `${'['.repeat(depth)}${']'.repeat(depth)}`;
  const body =
    where === 'code'
      ? `{"code":${nested}}`
      : where === 'userInfo'
        ? `{"code":"sim_${user}_1","userInfo":${nested}}`
        : `{"code":"sim_${user}_1","userInfo":{"city":${nested}}}`;
  const res = await send(body);
  expect(res.status).toBe(400);
  expect(await userFor(user)).toBeNull();
});

test('no response carried the AppSecret or a session_key', () => {
  expectNoSecrets(responses.text(), [DEMO_APP.appSecret, ...sim.issuedSessionKeys]);
  expectNoSecrets(app.logs.text(), [DEMO_APP.appSecret, ...sim.issuedSessionKeys]);
});
