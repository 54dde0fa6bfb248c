'use strict';

/**
 * The load generator, run by bench/run.js in a process of its own so that it never shares an
 * event loop with Strapi or the simulator. One scenario per run:
 *   node bench/load.js '<json>'   with { url, scenario, connections, duration | amount, runId, ... }
 * Prints one line of JSON (the figures run.js needs) on stdout.
 */
const autocannon = require('autocannon');

const LOGIN_PATH = '/strapi-wechat-miniprogram-auth/login';
const RETURNING_USERS = 64;
/**
 * The profile wx.getUserInfo / wx.getUserProfile have answered since 2021: an anonymous one, the same for everybody
 * every time. 0.0.5's README had mini programs send `{ code, userInfo }` at every login, and its users still do.
 */
const ANONYMOUS_PROFILE = {
  nickName: '微信用户',
  avatarUrl: 'https://thirdwx.qlogo.cn/mmopen/vi_32/POgEwh4mIHO4nibH0KlMECNjjGxQUq24ZEaGT4poC6icRiccVGKSyXwibcPq4BWmiaIGuG1icwxaQX6grC9VemZoJ8rg/132',
  gender: 0,
  language: '',
  city: '',
  province: '',
  country: '',
};

/** Every scenario is one request shape; setupRequest makes each request's body unique where needed. */
function requestFor(options) {
  const json = { 'content-type': 'application/json' };
  const withFreshCode = (nextCode, userInfo) => ({
    method: 'POST',
    path: LOGIN_PATH,
    headers: json,
    setupRequest: (req) => ({ ...req, body: JSON.stringify(userInfo ? { code: nextCode(), userInfo } : { code: nextCode() }) }),
  });
  let counter = 0;
  // Codes are single-use: a prefix of its own for every load process.
  const run = `${options.runId}${options.phase}`;
  switch (options.scenario) {
    case 'health':
      return { method: 'GET', path: '/_health' };
    case 'invalid':
      // Refused by the body validation before any WeChat call or query: routing, body parsing,
      // validation and Strapi's error response, i.e. what any login pays before the plugin works.
      return { method: 'POST', path: LOGIN_PATH, headers: json, body: JSON.stringify({ code: '' }) };
    case 'returning':
    case 'returning-renewed':
    case 'returning-code': {
      // RETURNING_USERS users taking turns (the first login of each is in the warm-up), a fresh
      // single-use code for every request, as wx.login gives. Several people rather than one, so that
      // simultaneous logins write different rows, as they do in production. The simulator keeps each
      // user's session key or renews it at every login, as the scenario says (bench/measure.js).
      const next = () => `sim_${options.user}x${(counter += 1) % RETURNING_USERS}_${run}-${counter}`;
      return withFreshCode(next, options.scenario === 'returning-code' ? null : ANONYMOUS_PROFILE);
    }
    case 'new':
      // A user never seen before on every request, with 0.0.5's body.
      return withFreshCode(() => `sim_n${run}x${(counter += 1)}_1`, ANONYMOUS_PROFILE);
    case 'local':
      return {
        method: 'POST',
        path: '/api/auth/local',
        headers: json,
        body: JSON.stringify({ identifier: options.identifier, password: options.password }),
      };
    default:
      throw new Error(`unknown scenario ${options.scenario}`);
  }
}

async function main() {
  const options = JSON.parse(process.argv[2]);
  const result = await autocannon({
    url: options.url,
    connections: options.connections,
    ...(options.amount ? { amount: options.amount } : { duration: options.duration }),
    timeout: 10,
    requests: [requestFor(options)],
  });
  const requests = result.requests.total;
  // The invalid-body scenario succeeds when it gets its 400.
  const ok = options.scenario === 'invalid' ? (result.statusCodeStats['400'] || {}).count || 0 : result['2xx'];
  process.stdout.write(
    JSON.stringify({
      scenario: options.scenario,
      connections: options.connections,
      durationS: result.duration,
      requests,
      ok,
      reqPerSec: requests / result.duration,
      latencyMs: { p50: result.latency.p50, p99: result.latency.p99, max: result.latency.max },
      errors: result.errors + (options.scenario === 'invalid' ? requests - ok : result.non2xx),
      detail: { connectionErrors: result.errors, timeouts: result.timeouts, non2xx: result.non2xx, statusCodes: result.statusCodeStats },
    }) + '\n'
  );
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
