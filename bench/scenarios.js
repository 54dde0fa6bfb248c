'use strict';

/**
 * What a bench run measures, in order, given meters on the Strapi processes (bench/measure.js):
 * the warm-up, the memory check (returning logins up to TOTAL_LOGINS, RSS along the way, the heap
 * a full GC leaves), the interleaved rounds of every scenario (with a baseline build, its returning
 * and new-user runs paired with the current build's in the same rounds), and users-permissions'
 * login once for scale.
 * The request shape of each scenario is in bench/load.js.
 */
const { FIRST_LOGINS } = require('./options');
const { heapAfterGcMiB, memoryAfterGc, rssMiB } = require('./measure');
const { combineRounds, compareRounds, round } = require('./stats');

const LABELS = {
  health: '`GET /_health` (baseline)',
  invalid: 'WeChat login refused at validation (400): the floor of a routed JSON POST',
  returning: "WeChat login, returning user, 0.0.5's body `{ code, userInfo }` (the same anonymous profile each time), session key kept",
  'returning-code': 'WeChat login, returning user, `{ code }` only, session key kept',
  'returning-renewed': "WeChat login, returning user, 0.0.5's body, a new session key at every login (worst case)",
  new: "WeChat login, new user (0.0.5's body)",
  local: 'users-permissions `POST /api/auth/local` (baseline)',
};
/** Scenarios of every round, in this order. */
const ROUNDED = ['health', 'invalid', 'returning', 'returning-code', 'returning-renewed', 'new'];
/** Scenarios also run against the baseline builds, in the same rounds. */
const COMPARED = ['returning', 'returning-code', 'returning-renewed', 'new'];

/** 2,000 `/_health` and the first FIRST_LOGINS returning logins. */
async function warmUp(meter, options) {
  await meter.measure('health', { amount: 2000 }, options);
  await meter.measure('returning', { amount: FIRST_LOGINS }, options);
}

/**
 * Right after the warm-up: RSS after the first logins, then returning logins up to `totalLogins`
 * in steps with an RSS reading after each (a plateau is the heap settling, a slope a leak), the
 * second reading, and the heap a full GC leaves. `heapBaseline`: a full GC after the first reading
 * too (it changes how V8 sizes its heap afterwards, so RSS is no longer undisturbed).
 */
async function memoryCheck(meter, { totalLogins, heapFile, heapBaseline }) {
  const rssAfterFirst = rssMiB(meter.pid);
  const firstLogins = meter.logins;
  const rssSeries = [{ logins: firstLogins, rssMiB: round(rssAfterFirst, 1) }];
  const heapAfterFirst = heapBaseline ? await heapAfterGcMiB(meter.pid, heapFile) : null;
  await loginsUpTo(meter, totalLogins, () => rssSeries.push({ logins: meter.logins, rssMiB: round(rssMiB(meter.pid), 1) }));
  const rssAfterAll = rssMiB(meter.pid);
  const afterGc = await memoryAfterGc(meter.pid, heapFile);
  return {
    firstLogins,
    totalLogins: meter.logins,
    rssAfterFirstLoginsMiB: round(rssAfterFirst, 1),
    rssAfterAllLoginsMiB: round(rssAfterAll, 1),
    growthPercent: round(((rssAfterAll - rssAfterFirst) / rssAfterFirst) * 100, 1),
    rssSeries,
    heapAfterGcFirstMiB: heapAfterFirst,
    heapAfterGcAllMiB: afterGc.heapUsedMiB,
    rssAfterFinalGcMiB: afterGc.rssMiB,
    afterGc,
    fullGcAfterFirstReading: heapBaseline,
  };
}

/** Returning logins, 5,000 at a time, until the meter has made `total` logins. */
async function loginsUpTo(meter, total, afterEach = () => {}) {
  while (meter.logins < total) {
    await meter.measure('returning', { amount: Math.min(5000, total - meter.logins) }, { quiet: true });
    afterEach();
  }
}

/**
 * `rounds` rounds of every scenario against the current build: the machine's speed drifts between
 * runs, and a drift then touches each scenario and its /_health alike. With baselines ({ ref, meter }
 * each), their runs of the compared scenarios sit right beside the current build's in each of the first
 * `compareRounds` rounds (extra rounds, if more than `rounds`, hold only those), the order of the builds
 * rotating from one round to the next.
 * Returns the current build's medians per scenario and, with baselines, the comparison with each.
 */
async function runRounds({ current, baselines, rounds, compareRounds: pairedRounds, seconds }) {
  const total = baselines.length ? Math.max(rounds, pairedRounds) : rounds;
  const builds = [{ ref: 'current', meter: current }, ...baselines];
  const main = [];
  const sideBySide = Object.fromEntries(COMPARED.map((scenario) => [scenario, []]));
  for (let i = 0; i < total; i += 1) {
    if (total > 1) console.log(`  round ${i + 1} of ${total}`);
    const inMain = i < rounds;
    const paired = baselines.length > 0 && i < pairedRounds;
    const results = {};
    for (const scenario of ROUNDED) {
      const compared = paired && COMPARED.includes(scenario);
      if (!inMain && !compared) continue;
      if (!compared) {
        results[scenario] = await current.measure(scenario, { duration: seconds });
        continue;
      }
      const order = builds.map((_, k) => builds[(k + i) % builds.length]);
      const round = { order: order.map((b) => b.ref), results: {} };
      for (const build of order) round.results[build.ref] = await build.meter.measure(scenario, { duration: seconds });
      sideBySide[scenario].push(round);
      results[scenario] = round.results.current;
    }
    if (inMain) main.push(results);
  }
  const runs = {};
  for (const scenario of ROUNDED)
    runs[scenario] = combineRounds(
      main.map((r) => r[scenario]),
      main.map((r) => r.health)
    );
  const comparison = baselines.length
    ? Object.fromEntries(
        baselines.map(({ ref }) => [ref, Object.fromEntries(COMPARED.map((scenario) => [scenario, compareRounds(sideBySide[scenario], ref)]))])
      )
    : null;
  return { runs, comparison };
}

/** users-permissions' password login, once: bcrypt makes it slow, and it is only there for scale. */
async function localLogin(meter, { seconds, health }) {
  return combineRounds([await meter.measure('local', { duration: seconds })], [health]);
}

module.exports = { COMPARED, LABELS, ROUNDED, localLogin, loginsUpTo, memoryCheck, runRounds, warmUp };
