'use strict';

/**
 * npm run bench: the playground (production build, `strapi start`, 127.0.0.1) and the WeChat
 * simulator, each in its own process, driven by autocannon from a third (bench/load.js).
 *
 *   npm run bench                          SQLite (a fresh file)
 *   DATABASE_CLIENT=postgres npm run bench PostgreSQL 127.0.0.1:5432 (database wxauth_bench, recreated)
 *   DATABASE_CLIENT=mysql npm run bench    MariaDB/MySQL 127.0.0.1:3306 (database wxauth_bench, recreated)
 *   npm run bench -- --profile             also writes a V8 CPU profile of Strapi to bench/results/
 *   npm run bench -- --profile --only=new  profile one scenario (after the warm-up) without writing a report
 *   npm run bench -- --heap-baseline       heap left after a full GC after 1,000 logins too (leak check; it
 *                                          also changes how V8 grows its heap, so RSS is no longer undisturbed)
 *   BENCH_SECONDS=5 npm run bench          shorter measured runs (default 10 s each)
 *   BENCH_ROUNDS=1 npm run bench           one round of the scenarios instead of three (medians reported)
 *   BENCH_LOGINS=5000 npm run bench        fewer logins before the last memory reading (default 20,000)
 *   BENCH_NODE_FLAGS='-r ./bench/what-if/credentials-cache.js' npm run bench   extra node flags for Strapi
 *                                          (bench/what-if/: measured alternatives, never part of the plugin)
 *
 * Every run is bounded (fixed duration or amount) and stops by itself (about 4 minutes on the 2-core
 * bench machine). Results go to bench/results/latest.{json,md} and bench/results/<database>.{json,md}.
 *
 * Modules: options.js (paths, knobs), playground.js (the Strapi app), database.js, processes.js
 * (simulator, Strapi, autocannon), measure.js (CPU, RSS, heap), scenarios.js (what is measured, in
 * which order), stats.js (medians, ratios), report.js (targets, JSON and markdown).
 */
const fs = require('fs');
const path = require('path');
const options = require('./options');
const { prepareDatabase } = require('./database');
const { createMeter } = require('./measure');
const { preparePlayground } = require('./playground');
const { startSimulator, startStrapi, stopProcess } = require('./processes');
const { checkTargets, machine, writeReport } = require('./report');
const { localLogin, memoryCheck, runRounds, warmUp } = require('./scenarios');

const { DB, ONLY, PLAYGROUND, PROFILE, RESULTS, ROOT, WORK } = options;

async function main() {
  fs.mkdirSync(WORK, { recursive: true });
  fs.mkdirSync(RESULTS, { recursive: true });
  await preparePlayground();
  const runId = Date.now().toString(36);

  const started = [];
  try {
    const simulator = await startSimulator(ROOT);
    started.push(simulator.child);

    const heapFile = path.join(WORK, 'heap.json');
    const nodeFlags = PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${RESULTS}`, `--cpu-prof-name=strapi-${DB}-${runId}.cpuprofile`] : [];
    // Relative paths in BENCH_NODE_FLAGS (e.g. `-r ./bench/what-if/credentials-cache.js`) are from the repository root.
    nodeFlags.push(...options.NODE_FLAGS.map((flag) => (flag.startsWith('./') ? path.join(ROOT, flag) : flag)));
    const strapi = await startStrapi({
      name: 'strapi',
      appDir: PLAYGROUND,
      database: await prepareDatabase(),
      simulatorPort: simulator.port,
      heapFile,
      nodeFlags,
    });
    started.push(strapi.child);
    console.log(`Strapi (pid ${strapi.pid}) on ${strapi.url}, simulator on 127.0.0.1:${simulator.port}, ${DB}, ${options.CONNECTIONS} connections`);

    // The local user for the users-permissions baseline.
    const local = { username: `bench${runId}`, email: `bench${runId}@example.com`, password: 'bench-Password-1' };
    const registered = await fetch(`${strapi.url}/api/auth/local/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(local),
    });
    if (registered.status !== 200) throw new Error(`could not register the local user: HTTP ${registered.status} ${await registered.text()}`);

    const load = { connections: options.CONNECTIONS, runId, user: `r${runId}`, identifier: local.email, password: local.password };
    const meter = createMeter({ pid: strapi.pid, load: { ...load, url: strapi.url } });

    await warmUp(meter);
    if (ONLY) {
      await meter.measure(ONLY, { duration: options.SECONDS });
      return; // a profiling run: no report
    }
    const memory = await memoryCheck(meter, { totalLogins: options.TOTAL_LOGINS, heapFile, heapBaseline: options.HEAP_BASELINE });
    const { runs } = await runRounds({ current: meter, rounds: options.ROUNDS, seconds: options.SECONDS });
    runs.local = await localLogin(meter, { seconds: options.SECONDS, health: runs.health });

    const report = {
      date: new Date().toISOString(),
      machine: machine(),
      connections: options.CONNECTIONS,
      seconds: options.SECONDS,
      rounds: options.ROUNDS,
      runs,
      memory,
      logins: meter.logins,
      loginErrors: meter.loginErrors,
      targets: checkTargets(runs, memory, meter.logins, meter.loginErrors),
    };
    const md = writeReport(report);
    console.log('\n' + md);
    console.log(`Written to ${path.relative(ROOT, path.join(RESULTS, 'latest.md'))} and ${DB}.md`);
  } finally {
    for (const child of started.reverse()) await stopProcess(child);
    if (PROFILE) console.log(`CPU profile: bench/results/strapi-${DB}-${runId}.cpuprofile (summary: node bench/profile-summary.js <file>)`);
  }
}

main().catch((error) => {
  console.error(error.message);
  process.exit(1);
});
