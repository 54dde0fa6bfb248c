'use strict';

/**
 * npm run bench: the playground (production build, `strapi start`, 127.0.0.1) and the WeChat
 * simulator, each in its own process, driven by autocannon from a third (bench/load.js); beside
 * them, in the same run, a second Strapi with the previous release of the plugin (git tag v1.0.0,
 * built into .tmp/bench/releases/, on the playground as it was at that tag), its returning and
 * new-user logins interleaved with the current build's and compared round by round against the
 * next release's criterion.
 *
 *   npm run bench                          SQLite (a fresh file per build)
 *   DATABASE_CLIENT=postgres npm run bench PostgreSQL 127.0.0.1:5432 (databases wxauth_bench[_baseline], recreated)
 *   DATABASE_CLIENT=mysql npm run bench    MariaDB/MySQL 127.0.0.1:3306 (the same)
 *   npm run bench -- --profile             also writes a V8 CPU profile of Strapi to bench/results/
 *   npm run bench -- --profile --only=new  profile one scenario (after the warm-up) without writing a report
 *   npm run bench -- --heap-baseline       heap left after a full GC after 1,000 logins too (leak check; it
 *                                          also changes how V8 grows its heap, so RSS is no longer undisturbed)
 *   BENCH_SECONDS=5 npm run bench          shorter measured runs (default 10 s each)
 *   BENCH_ROUNDS=1 npm run bench           one round of the scenarios instead of three (medians reported)
 *   BENCH_COMPARE_ROUNDS=3 npm run bench   rounds with the baseline beside the current build (default 5; the
 *                                          first BENCH_ROUNDS are shared, the others hold only those pairs)
 *   BENCH_BASELINE_REF=none npm run bench  no comparison (BENCH_BASELINE_REF=<git ref>: another baseline)
 *   BENCH_REF_PLAYGROUND=current           builds from git refs on the working tree's playground instead of the
 *                                          playground of their own commit (the default: it sets up the app as they expect)
 *   BENCH_CURRENT_REF=v1.0.0 npm run bench a git ref measured as the current build (v1.0.0 against itself: how
 *                                          far apart two identical builds come out, i.e. the noise of the ratios)
 *   BENCH_LOGINS=5000 npm run bench        fewer logins before the last memory reading (default 20,000)
 *   BENCH_BASELINE_LOGINS=5000             returning logins the baseline makes before the rounds (default: as many as
 *                                          the current build's memory check, BENCH_LOGINS)
 *   BENCH_NODE_FLAGS='-r ./bench/what-if/credentials-cache.js' npm run bench   extra node flags for the current
 *                                          build's Strapi (bench/what-if/: measured alternatives, never part of the plugin)
 *
 * Every run is bounded (fixed duration or amount) and stops by itself; with the defaults a run takes
 * about 8 minutes on the 2-core bench machine (longer when other work shares its cores: the login
 * amounts then take longer). Results go to bench/results/latest.{json,md} and
 * bench/results/<database>.{json,md}.
 *
 * Modules: options.js (paths, knobs), release.js (a git ref's build), playground.js (the Strapi app
 * and its copy for another build), database.js, processes.js (simulator, Strapi, autocannon),
 * measure.js (CPU, RSS, heap), scenarios.js (what is measured, in which order), stats.js (medians,
 * ratios), report.js (targets, criterion, JSON and markdown).
 */
const fs = require('fs');
const path = require('path');
const options = require('./options');
const { prepareDatabase } = require('./database');
const { createMeter, heapAfterGcMiB } = require('./measure');
const { playgroundFor, preparePlayground } = require('./playground');
const { startSimulator, startStrapi, stopProcess } = require('./processes');
const { buildRelease, describeWorkingTree } = require('./release');
const { checkCriterion, checkTargets, machine, writeReport } = require('./report');
const { localLogin, loginsUpTo, memoryCheck, runRounds, warmUp } = require('./scenarios');

const { DB, ONLY, PLAYGROUND, PROFILE, RESULTS, ROOT, WORK } = options;

const ownPlayground = options.REF_PLAYGROUND === 'release';
const missingRef = (ref) => `there is no git ref ${ref} in this clone (cloned without tags? \`git fetch --tags\`)`;

/** The build measured as current: the working tree's (dist/ from `npm run build`), or BENCH_CURRENT_REF's. */
async function currentBuild() {
  if (!options.CURRENT_REF) return { build: { ...describeWorkingTree(), dir: ROOT }, appDir: PLAYGROUND };
  const build = buildRelease(options.CURRENT_REF);
  if (!build) throw new Error(`BENCH_CURRENT_REF: ${missingRef(options.CURRENT_REF)}`);
  return { build, ownPlayground, appDir: await playgroundFor(build, { name: 'current', ownPlayground }) };
}

/** The build compared with, or the reason there is none (no comparison in an --only run). */
async function baselineBuild() {
  if (ONLY) return { skipped: '--only run' };
  if (!options.BASELINE_REF) return { skipped: 'BENCH_BASELINE_REF=none', quiet: true };
  const build = buildRelease(options.BASELINE_REF);
  if (!build) {
    const skipped = missingRef(options.BASELINE_REF);
    console.log(`\nNo comparison with ${options.BASELINE_REF}: ${skipped}.\n`);
    return { skipped };
  }
  return { build, ownPlayground, appDir: await playgroundFor(build, { name: 'baseline', ownPlayground }) };
}

async function main() {
  fs.mkdirSync(WORK, { recursive: true });
  fs.mkdirSync(RESULTS, { recursive: true });
  await preparePlayground();
  const current = await currentBuild();
  const baseline = await baselineBuild();
  const runId = Date.now().toString(36);

  const started = [];
  try {
    const simulator = await startSimulator(current.build.dir);
    started.push(simulator.child);

    const nodeFlags = PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${RESULTS}`, `--cpu-prof-name=strapi-${DB}-${runId}.cpuprofile`] : [];
    // Relative paths in BENCH_NODE_FLAGS (e.g. `-r ./bench/what-if/credentials-cache.js`) are from the repository root.
    nodeFlags.push(...options.NODE_FLAGS.map((flag) => (flag.startsWith('./') ? path.join(ROOT, flag) : flag)));
    const strapi = await startStrapi({
      name: 'strapi',
      appDir: current.appDir,
      database: await prepareDatabase('wxauth_bench', '.tmp/bench.db', current.appDir),
      simulatorPort: simulator.port,
      heapFile: path.join(WORK, 'heap.json'),
      nodeFlags,
    });
    started.push(strapi.child);
    console.log(`Strapi (pid ${strapi.pid}) on ${strapi.url}, simulator on 127.0.0.1:${simulator.port}, ${DB}, ${options.CONNECTIONS} connections`);

    let other = null;
    if (baseline.build) {
      other = await startStrapi({
        name: 'strapi-baseline',
        appDir: baseline.appDir,
        database: await prepareDatabase('wxauth_bench_baseline', '.tmp/bench.db', baseline.appDir),
        simulatorPort: simulator.port,
        heapFile: path.join(WORK, 'heap-baseline.json'),
      });
      started.push(other.child);
      console.log(`Strapi with the plugin as at ${baseline.build.ref} (pid ${other.pid}) on ${other.url}`);
    }

    // The local user for the users-permissions baseline.
    const local = { username: `bench${runId}`, email: `bench${runId}@example.com`, password: 'bench-Password-1' };
    const registered = await fetch(`${strapi.url}/api/auth/local/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(local),
    });
    if (registered.status !== 200) throw new Error(`could not register the local user: HTTP ${registered.status} ${await registered.text()}`);

    const load = { connections: options.CONNECTIONS, runId, user: `r${runId}`, identifier: local.email, password: local.password };
    const meter = createMeter({ pid: strapi.pid, load: { ...load, url: strapi.url }, label: options.CURRENT_REF ? `@current=${options.CURRENT_REF}` : '' });
    const otherMeter = other && createMeter({ pid: other.pid, load: { ...load, url: other.url }, label: `@${baseline.build.ref}`, phasePrefix: 'b' });

    await warmUp(meter);
    if (ONLY) {
      await meter.measure(ONLY, { duration: options.SECONDS });
      return; // a profiling run: no report
    }
    const memory = await memoryCheck(meter, { totalLogins: options.TOTAL_LOGINS, heapFile: strapi.heapFile, heapBaseline: options.HEAP_BASELINE });
    let baselineLogins = null;
    if (otherMeter) {
      // The baseline enters the rounds as the current build does: warm, right after a full GC.
      await warmUp(otherMeter);
      await loginsUpTo(otherMeter, Math.min(options.BASELINE_LOGINS, meter.logins));
      await heapAfterGcMiB(other.pid, other.heapFile);
      baselineLogins = otherMeter.logins;
      console.log(`  ${baseline.build.ref}: warmed up with ${otherMeter.logins} returning logins, then a full GC`);
    }

    const { runs, comparison } = await runRounds({
      current: meter,
      baseline: otherMeter,
      rounds: options.ROUNDS,
      compareRounds: options.COMPARE_ROUNDS,
      seconds: options.SECONDS,
    });
    runs.local = await localLogin(meter, { seconds: options.SECONDS, health: runs.health });

    const report = {
      date: new Date().toISOString(),
      comparison: comparison
        ? {
            current: {
              ...current.build,
              dir: path.relative(ROOT, current.build.dir) || '.',
              playground: current.ownPlayground ? 'release' : 'current',
              loginsBeforeRounds: memory.totalLogins,
            },
            baseline: {
              ...baseline.build,
              dir: path.relative(ROOT, baseline.build.dir),
              playground: baseline.ownPlayground ? 'release' : 'current',
              loginsBeforeRounds: baselineLogins,
            },
            rounds: comparison.returning.rounds,
            seconds: options.SECONDS,
            ...checkCriterion(comparison, baseline.build.ref),
            scenarios: comparison,
          }
        : baseline.quiet
          ? null
          : { baseline: { ref: options.BASELINE_REF }, skipped: baseline.skipped },
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
