'use strict';

/**
 * npm run bench:activity: what the login activity counters cost a returning login. One build (the working tree's),
 * the playground started twice on databases of their own, `activity.enabled` true in one and false in the other
 * (WECHAT_ACTIVITY_ENABLED), the WeChat simulator, an autocannon process per side (bench/load.js). After the same
 * warm-up, each round starts with a full GC in both and loads both at the same time, the rounds shared among a few
 * fresh pairs of processes (blocks); the figure is the median of the same-round ratios on ÷ off (bench/stats.js
 * compareRounds), with its 95% interval, for throughput and CPU per login (both bodies pooled, too).
 * BENCH_ACTIVITY_CHECK=aa runs the same with both sides counting: how far apart two identical processes come.
 *
 *   npm run bench:activity                        SQLite (fresh files)
 *   DATABASE_CLIENT=postgres npm run bench:activity, DATABASE_CLIENT=mysql …   the server databases (recreated)
 *   BENCH_ACTIVITY_ROUNDS=100                     rounds (default 40)
 *   BENCH_ACTIVITY_BLOCKS=5                       fresh pairs of processes the rounds are shared among (default 3)
 *   BENCH_SECONDS=10                              seconds per measured run (default 10)
 *   BENCH_ACTIVITY_SCENARIOS=returning,returning-code   scenarios of each round (default: both)
 *   BENCH_ACTIVITY_CHECK=aa                       an A/A check: the "off" Strapi counts too, so the ratio shows how
 *                                                 far apart two identical processes come out (written to activity-aa-<database>)
 *
 * Results: bench/results/activity-<database>.{json,md}. Every run is bounded; with the defaults about 20 minutes.
 */
const fs = require('fs');
const path = require('path');
const options = require('./options');
const { prepareDatabase } = require('./database');
const { createMeter, memoryAfterGc } = require('./measure');
const { preparePlayground } = require('./playground');
const { startSimulator, startStrapi, stopProcess } = require('./processes');
const { describeWorkingTree } = require('./release');
const { machine } = require('./report');
const { LABELS, warmUp } = require('./scenarios');
const { compareRounds } = require('./stats');

const { DB, PLAYGROUND, RESULTS, ROOT, SECONDS, WORK } = options;
const ROUNDS = Math.max(1, Number(process.env.BENCH_ACTIVITY_ROUNDS || 40));
const SCENARIOS = (process.env.BENCH_ACTIVITY_SCENARIOS || 'returning,returning-code').split(',').map((s) => s.trim());
/**
 * The criterion: counting may cost a returning login at most 2%, in Strapi CPU per login (what the counters add to
 * a login, whatever share of the machine each side got in a round) and in throughput. It is resolved when the whole
 * 95% interval of the CPU median lies within it; on a CPU-bound server throughput follows CPU per login.
 */
const MAX_COST = 0.02;
const AA = process.env.BENCH_ACTIVITY_CHECK === 'aa';
/** Pairs of processes the rounds are shared among (BENCH_ACTIVITY_BLOCKS, default 3). */
const BLOCKS = Math.min(ROUNDS, Math.max(1, Number(process.env.BENCH_ACTIVITY_BLOCKS || 3)));
const COUNTED = 2_000_000;
/**
 * By default both sides are loaded at the same time, each by its own load process: whatever the shared machine does
 * during a round (steal, another job, frequency) falls on both alike. BENCH_ACTIVITY_SEQUENTIAL=1 loads one side after
 * the other instead, the order flipping each round.
 */
const SEQUENTIAL = process.env.BENCH_ACTIVITY_SEQUENTIAL === '1';
/** Each side's name in a round's results, as bench/stats.js compareRounds reads them (current ÷ baseline). */
const RESULT_KEY = { on: 'current', off: 'activity-off' };

/**
 * What the login path adds, alone: `ActivityCounter.add` (a Map increment on the (app, day, kind, code) key, the day
 * from the per-minute cache) timed over COUNTED calls in this process, after a warm-up. A figure to set beside the
 * CPU a returning login costs Strapi (the load runs below), which the load runs' noise cannot resolve at this size.
 */
function counterCost() {
  const { ActivityCounter, dayFormatter } = require(path.join(ROOT, 'dist', 'server', 'activity', 'counter.js'));
  const counter = new ActivityCounter(dayFormatter('Asia/Shanghai'));
  const apps = ['wx0123456789abcdef', 'wxfedcba9876543210'];
  for (let i = 0; i < 200_000; i += 1) counter.add(apps[i & 1], i % 3 ? 'returning' : 'new');
  counter.drain();
  const started = process.hrtime.bigint();
  for (let i = 0; i < COUNTED; i += 1) counter.add(apps[i & 1], i % 3 ? 'returning' : 'new');
  const ns = Number(process.hrtime.bigint() - started) / COUNTED;
  counter.drain();
  return Math.round(ns * 10) / 10;
}

/** A load run again once when its generator process died (another job on the machine can take it down). */
async function measure(meter, scenario, bound) {
  try {
    return await meter.measure(scenario, bound);
  } catch (error) {
    console.log(`  (${scenario}: ${error.message}; run again)`);
    return meter.measure(scenario, bound);
  }
}

async function main() {
  fs.mkdirSync(WORK, { recursive: true });
  fs.mkdirSync(RESULTS, { recursive: true });
  const counterNsPerLogin = counterCost();
  console.log(`ActivityCounter.add: ${counterNsPerLogin} ns per login (${COUNTED.toLocaleString('en')} calls)`);
  await preparePlayground();
  const runId = Date.now().toString(36);
  const started = [];
  try {
    const simulator = await startSimulator(ROOT);
    started.push(simulator.child);
    const simulatorUrl = `http://127.0.0.1:${simulator.port}`;
    const rounds = Object.fromEntries(SCENARIOS.map((scenario) => [scenario, []]));
    let done = 0;
    for (let block = 0; block < BLOCKS; block += 1) {
      // A fresh pair of processes per block, the one started first alternating: two identical processes differ by a
      // percent or two for as long as they live (the A/A check shows it), so the blocks sample that difference.
      const order = block % 2 ? ['off', 'on'] : ['on', 'off'];
      const sides = {};
      for (const side of order) {
        const strapi = await startStrapi({
          name: `strapi-activity-${side}`,
          appDir: PLAYGROUND,
          database: await prepareDatabase(`wxauth_bench_activity_${side}`, `.tmp/bench-activity-${side}.db`),
          simulatorPort: simulator.port,
          heapFile: path.join(WORK, `heap-activity-${side}.json`),
          env: { WECHAT_ACTIVITY_ENABLED: String(side === 'on' || AA) },
        });
        started.push(strapi.child);
        console.log(`Block ${block + 1} of ${BLOCKS}: Strapi with activity ${side} (pid ${strapi.pid}) on ${strapi.url}, ${DB}`);
        const meter = createMeter({
          pid: strapi.pid,
          simulatorUrl,
          load: { url: strapi.url, connections: options.CONNECTIONS, runId, user: `a${runId}${side}${block}` },
          label: `@activity-${side}`,
          phasePrefix: `a${side}${block}-`,
        });
        await warmUp(meter);
        sides[side] = Object.assign(meter, { child: strapi.child, heapFile: strapi.heapFile });
      }
      const blockRounds = Math.round(((block + 1) * ROUNDS) / BLOCKS) - done;
      for (let i = 0; i < blockRounds; i += 1, done += 1) {
        console.log(`  round ${done + 1} of ${ROUNDS}`);
        for (const scenario of SCENARIOS) {
          const round = { order: order.map((side) => RESULT_KEY[side]), results: {} };
          const run = async (side) => {
            round.results[RESULT_KEY[side]] = await measure(sides[side], scenario, { duration: SECONDS });
          };
          // A major collection of one side's heap inside a short run would weigh more than the counters do.
          for (const side of order) await memoryAfterGc(sides[side].pid, sides[side].heapFile);
          if (SEQUENTIAL) for (const side of i % 2 ? [...order].reverse() : order) await run(side);
          else await Promise.all(order.map(run));
          rounds[scenario].push(round);
        }
      }
      for (const side of order) await stopProcess(sides[side].child);
    }

    const scenarios = Object.fromEntries(SCENARIOS.map((scenario) => [scenario, compareRounds(rounds[scenario], RESULT_KEY.off)]));
    // The counters do the same for either body, so the rounds of both scenarios together measure the same cost.
    const pooled =
      SCENARIOS.length > 1
        ? compareRounds(
            SCENARIOS.flatMap((scenario) => rounds[scenario]),
            RESULT_KEY.off
          )
        : scenarios[SCENARIOS[0]];
    const report = {
      date: new Date().toISOString(),
      database: DB,
      check: AA ? 'A/A: both processes count (the "off" side too)' : null,
      build: describeWorkingTree(),
      machine: machine(),
      connections: options.CONNECTIONS,
      seconds: SECONDS,
      rounds: ROUNDS,
      blocks: BLOCKS,
      loading: SEQUENTIAL ? 'one side after the other, the order flipping each round' : 'both sides at the same time, each by its own load process',
      criterion: `Strapi CPU per login with the counters on at most ${1 + MAX_COST}× and throughput at least ${1 - MAX_COST}× what they are with them off (medians of the same-round ratios)`,
      passed: SCENARIOS.every((scenario) => scenarios[scenario].cpuPerRequestRatio <= 1 + MAX_COST && scenarios[scenario].reqPerSecRatio >= 1 - MAX_COST),
      // Whether the run can tell: the whole 95% interval of the CPU median of every returning login within the criterion.
      resolved: (pooled.cpuPerRequestInterval?.[1] ?? Infinity) <= 1 + MAX_COST,
      counterNsPerLogin,
      // The counter's share of the CPU a returning login costs Strapi with the counters off (median of the rounds).
      counterShareOfLoginCpu: Object.fromEntries(
        SCENARIOS.map((scenario) => [scenario, Math.round((counterNsPerLogin / (scenarios[scenario].baseline.cpuUsPerRequest * 1000)) * 1e6) / 1e6])
      ),
      scenarios,
      pooled: ratiosOf(pooled),
    };
    const md = markdown(report);
    const name = path.join(RESULTS, `activity-${AA ? 'aa-' : ''}${DB}`);
    fs.writeFileSync(`${name}.json`, JSON.stringify(report, null, 2) + '\n');
    fs.writeFileSync(`${name}.md`, md);
    console.log('\n' + md);
    console.log(`Written to ${path.relative(ROOT, `${name}.md`)}`);
  } finally {
    for (const child of started.reverse()) await stopProcess(child);
  }
}

/** A comparison's medians and intervals without the figures of each side and round. */
function ratiosOf({ current, baseline, each, ...ratios }) {
  return ratios;
}

function markdown(report) {
  const lines = [
    `# Login activity counters: on vs off (${report.database})${report.check ? `, ${report.check}` : ''}`,
    '',
    `${report.date}, ${report.build.ref} (${report.build.commit}), Strapi ${report.machine.strapi}, ${report.machine.cores} × ${report.machine.cpu}, Node ${report.machine.node}; ` +
      `${report.rounds} rounds of ${report.seconds} s per side and scenario over ${report.blocks} pairs of processes, ${report.connections} connections per side, ${report.loading}.`,
    '',
    '| scenario | on: req/s | off: req/s | on ÷ off (median of rounds) [95% interval] | on: CPU µs/login | off: CPU µs/login | CPU on ÷ off [95% interval] |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  const interval = (i) => (i ? ` [${i[0]}, ${i[1]}]` : '');
  for (const [scenario, c] of Object.entries(report.scenarios)) {
    lines.push(
      `| ${LABELS[scenario] ?? scenario} | ${c.current.reqPerSec} | ${c.baseline.reqPerSec} | ${c.reqPerSecRatio}${interval(c.reqPerSecInterval)} | ` +
        `${c.current.cpuUsPerRequest} | ${c.baseline.cpuUsPerRequest} | ${c.cpuPerRequestRatio}${interval(c.cpuPerRequestInterval)} |`
    );
  }
  if (Object.keys(report.scenarios).length > 1) {
    const p = report.pooled;
    lines.push(
      `| every returning login above (${p.rounds} same-round pairs) | | | ${p.reqPerSecRatio}${interval(p.reqPerSecInterval)} | | | ${p.cpuPerRequestRatio}${interval(p.cpuPerRequestInterval)} |`
    );
  }
  lines.push(
    '',
    `Criterion: ${report.criterion}: ${report.passed ? 'met' : 'NOT met'}` +
      (report.resolved
        ? `, and the whole 95% interval of CPU per returning login lies within ${1 + MAX_COST}×.`
        : `; the 95% interval of CPU per returning login reaches past ${1 + MAX_COST}×, so this run cannot tell 2% apart (more rounds: BENCH_ACTIVITY_ROUNDS).`),
    ''
  );
  lines.push(
    `The counting itself (\`ActivityCounter.add\`, timed alone): ${report.counterNsPerLogin} ns per login, ` +
      Object.entries(report.counterShareOfLoginCpu)
        .map(([scenario, share]) => `${(share * 100).toFixed(4)}% of a ${scenario} login's Strapi CPU`)
        .join(', ') +
      '.',
    ''
  );
  lines.push('Each round (on ÷ off, req/s / CPU per login):', '');
  for (const [scenario, c] of Object.entries(report.scenarios))
    lines.push(`- ${scenario}: ${c.each.map((e) => `${e.reqPerSecRatio} / ${e.cpuPerRequestRatio}`).join(', ')}`);
  return lines.join('\n') + '\n';
}

main().catch((error) => {
  console.error(error.message);
  process.exit(1);
});
