'use strict';

/**
 * npm run bench:activity: what the login activity counters cost a returning login. One build (the working tree's),
 * the playground started twice on databases of their own, `activity.enabled` true in one and false in the other
 * (WECHAT_ACTIVITY_ENABLED), the WeChat simulator, autocannon in a process of its own (bench/load.js). After the
 * same warm-up, rounds of returning logins alternate between the two, the order flipping each round; the figure is
 * the median of the same-round ratios on ÷ off (bench/stats.js compareRounds), for throughput and CPU per login.
 *
 *   npm run bench:activity                        SQLite (fresh files)
 *   DATABASE_CLIENT=postgres npm run bench:activity, DATABASE_CLIENT=mysql …   the server databases (recreated)
 *   BENCH_ACTIVITY_ROUNDS=9                       rounds (default 7)
 *   BENCH_SECONDS=10                              seconds per measured run (default 10)
 *   BENCH_ACTIVITY_SCENARIOS=returning,returning-code   scenarios of each round (default: both)
 *   BENCH_ACTIVITY_CHECK=aa                       an A/A check: the "off" Strapi counts too, so the ratio shows how
 *                                                 far apart two identical processes come out (written to activity-aa-<database>)
 *
 * Results: bench/results/activity-<database>.{json,md}. Every run is bounded; with the defaults about 6 minutes.
 */
const fs = require('fs');
const path = require('path');
const options = require('./options');
const { prepareDatabase } = require('./database');
const { createMeter } = require('./measure');
const { preparePlayground } = require('./playground');
const { startSimulator, startStrapi, stopProcess } = require('./processes');
const { describeWorkingTree } = require('./release');
const { machine } = require('./report');
const { LABELS, warmUp } = require('./scenarios');
const { compareRounds } = require('./stats');

const { DB, PLAYGROUND, RESULTS, ROOT, SECONDS, WORK } = options;
const ROUNDS = Math.max(1, Number(process.env.BENCH_ACTIVITY_ROUNDS || 7));
const SCENARIOS = (process.env.BENCH_ACTIVITY_SCENARIOS || 'returning,returning-code').split(',').map((s) => s.trim());
/** The criterion of the issue: counting may cost at most 2% of the returning-login rate. */
const MAX_COST = 0.02;
const AA = process.env.BENCH_ACTIVITY_CHECK === 'aa';
const COUNTED = 2_000_000;

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
    const sides = {};
    for (const [side, enabled] of [
      ['on', true],
      ['off', false],
    ]) {
      const strapi = await startStrapi({
        name: `strapi-activity-${side}`,
        appDir: PLAYGROUND,
        database: await prepareDatabase(`wxauth_bench_activity_${side}`, `.tmp/bench-activity-${side}.db`),
        simulatorPort: simulator.port,
        heapFile: path.join(WORK, `heap-activity-${side}.json`),
        env: { WECHAT_ACTIVITY_ENABLED: String(enabled || AA) },
      });
      started.push(strapi.child);
      console.log(`Strapi with activity ${side} (pid ${strapi.pid}) on ${strapi.url}, ${DB}`);
      const meter = createMeter({
        pid: strapi.pid,
        simulatorUrl,
        load: { url: strapi.url, connections: options.CONNECTIONS, runId, user: `a${runId}${side}` },
        label: `@activity-${side}`,
        phasePrefix: `a${side}`,
      });
      await warmUp(meter);
      sides[side] = meter;
    }

    // Rounds: on and off side by side, the order flipping each round (a drift of the machine touches both alike).
    const rounds = Object.fromEntries(SCENARIOS.map((scenario) => [scenario, []]));
    for (let i = 0; i < ROUNDS; i += 1) {
      console.log(`  round ${i + 1} of ${ROUNDS}`);
      for (const scenario of SCENARIOS) {
        const order = i % 2 ? ['off', 'on'] : ['on', 'off'];
        const round = { order: order.map((side) => (side === 'on' ? 'current' : 'activity-off')), results: {} };
        for (const side of order) round.results[side === 'on' ? 'current' : 'activity-off'] = await measure(sides[side], scenario, { duration: SECONDS });
        rounds[scenario].push(round);
      }
    }

    const scenarios = Object.fromEntries(SCENARIOS.map((scenario) => [scenario, compareRounds(rounds[scenario], 'activity-off')]));
    const report = {
      date: new Date().toISOString(),
      database: DB,
      check: AA ? 'A/A: both processes count (the "off" side too)' : null,
      build: describeWorkingTree(),
      machine: machine(),
      connections: options.CONNECTIONS,
      seconds: SECONDS,
      rounds: ROUNDS,
      criterion: `throughput with the counters on at least ${1 - MAX_COST} of the rate with them off (median of the same-round ratios)`,
      passed: SCENARIOS.every((scenario) => scenarios[scenario].reqPerSecRatio >= 1 - MAX_COST),
      counterNsPerLogin,
      // The counter's share of the CPU a returning login costs Strapi with the counters off (median of the rounds).
      counterShareOfLoginCpu: Object.fromEntries(
        SCENARIOS.map((scenario) => [scenario, Math.round((counterNsPerLogin / (scenarios[scenario].baseline.cpuUsPerRequest * 1000)) * 1e6) / 1e6])
      ),
      scenarios,
    };
    const md = markdown(report);
    for (const name of [`activity-${AA ? 'aa-' : ''}${DB}`]) {
      fs.writeFileSync(path.join(RESULTS, `${name}.json`), JSON.stringify(report, null, 2) + '\n');
      fs.writeFileSync(path.join(RESULTS, `${name}.md`), md);
    }
    console.log('\n' + md);
    console.log(`Written to ${path.relative(ROOT, path.join(RESULTS, `activity-${AA ? 'aa-' : ''}${DB}.md`))}`);
  } finally {
    for (const child of started.reverse()) await stopProcess(child);
  }
}

function markdown(report) {
  const lines = [
    `# Login activity counters: on vs off (${report.database})${report.check ? `, ${report.check}` : ''}`,
    '',
    `${report.date}, ${report.build.ref} (${report.build.commit}), Strapi ${report.machine.strapi}, ${report.machine.cores} × ${report.machine.cpu}, Node ${report.machine.node}; ` +
      `${report.rounds} rounds of ${report.seconds} s per side and scenario, ${report.connections} connections, order flipping each round.`,
    '',
    '| scenario | on: req/s | off: req/s | on ÷ off (median of rounds) | on: CPU µs/login | off: CPU µs/login | CPU on ÷ off |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const [scenario, c] of Object.entries(report.scenarios)) {
    lines.push(
      `| ${LABELS[scenario] ?? scenario} | ${c.current.reqPerSec} | ${c.baseline.reqPerSec} | ${c.reqPerSecRatio} | ${c.current.cpuUsPerRequest} | ${c.baseline.cpuUsPerRequest} | ${c.cpuPerRequestRatio} |`
    );
  }
  lines.push('', `Criterion: ${report.criterion}: ${report.passed ? 'met' : 'NOT met'}.`, '');
  lines.push(
    `The counting itself (\`ActivityCounter.add\`, timed alone): ${report.counterNsPerLogin} ns per login, ` +
      Object.entries(report.counterShareOfLoginCpu)
        .map(([scenario, share]) => `${(share * 100).toFixed(4)}% of a ${scenario} login's Strapi CPU`)
        .join(', ') +
      '.',
    ''
  );
  lines.push('Each round (on ÷ off, req/s):', '');
  for (const [scenario, c] of Object.entries(report.scenarios)) lines.push(`- ${scenario}: ${c.each.map((e) => e.reqPerSecRatio).join(', ')}`);
  return lines.join('\n') + '\n';
}

main().catch((error) => {
  console.error(error.message);
  process.exit(1);
});
