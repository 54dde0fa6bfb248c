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
const { heapAfterGcMiB, rssMiB } = require('./measure');
const { combineRounds, compareRounds, round } = require('./stats');

const LABELS = {
  health: '`GET /_health` (baseline)',
  invalid: 'WeChat login refused at validation (400): the floor of a routed JSON POST',
  returning: 'WeChat login, returning user',
  new: 'WeChat login, new user',
  local: 'users-permissions `POST /api/auth/local` (baseline)',
};
/** Scenarios of every round, in this order. */
const ROUNDED = ['health', 'invalid', 'returning', 'new'];
/** Scenarios also run against the baseline build, in the same rounds. */
const COMPARED = ['returning', 'new'];

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
  const heapAfterAll = await heapAfterGcMiB(meter.pid, heapFile);
  const rssAfterGc = rssMiB(meter.pid);
  return {
    firstLogins,
    totalLogins: meter.logins,
    rssAfterFirstLoginsMiB: round(rssAfterFirst, 1),
    rssAfterAllLoginsMiB: round(rssAfterAll, 1),
    growthPercent: round(((rssAfterAll - rssAfterFirst) / rssAfterFirst) * 100, 1),
    rssSeries,
    heapAfterGcFirstMiB: heapAfterFirst,
    heapAfterGcAllMiB: heapAfterAll,
    rssAfterFinalGcMiB: round(rssAfterGc, 1),
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
 * runs, and a drift then touches each scenario and its /_health alike. With a baseline, its
 * returning and new-user runs sit right beside the current build's in each of the first
 * `compareRounds` rounds (extra rounds, if more than `rounds`, hold only those pairs), the build
 * that goes first alternating from one round to the next.
 * Returns the current build's medians per scenario and, with a baseline, the comparison.
 */
async function runRounds({ current, baseline, rounds, compareRounds: pairedRounds, seconds }) {
  const total = baseline ? Math.max(rounds, pairedRounds) : rounds;
  const main = [];
  const pairs = Object.fromEntries(COMPARED.map((scenario) => [scenario, []]));
  for (let i = 0; i < total; i += 1) {
    if (total > 1) console.log(`  round ${i + 1} of ${total}`);
    const inMain = i < rounds;
    const paired = Boolean(baseline) && i < pairedRounds;
    const results = {};
    for (const scenario of ROUNDED) {
      const compared = paired && COMPARED.includes(scenario);
      if (!inMain && !compared) continue;
      if (!compared) {
        results[scenario] = await current.measure(scenario, { duration: seconds });
        continue;
      }
      const first = i % 2 === 0 ? 'current' : 'baseline';
      const order = first === 'current' ? ['current', 'baseline'] : ['baseline', 'current'];
      const pair = { first };
      for (const key of order) pair[key] = await (key === 'current' ? current : baseline).measure(scenario, { duration: seconds });
      pairs[scenario].push(pair);
      results[scenario] = pair.current;
    }
    if (inMain) main.push(results);
  }
  const runs = {};
  for (const scenario of ROUNDED)
    runs[scenario] = combineRounds(
      main.map((r) => r[scenario]),
      main.map((r) => r.health)
    );
  const comparison = baseline ? Object.fromEntries(COMPARED.map((scenario) => [scenario, compareRounds(pairs[scenario])])) : null;
  return { runs, comparison };
}

/** users-permissions' password login, once: bcrypt makes it slow, and it is only there for scale. */
async function localLogin(meter, { seconds, health }) {
  return combineRounds([await meter.measure('local', { duration: seconds })], [health]);
}

module.exports = { COMPARED, LABELS, ROUNDED, localLogin, loginsUpTo, memoryCheck, runRounds, warmUp };
