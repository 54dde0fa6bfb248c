'use strict';

/**
 * npm run bench: the playground (production build, `strapi start`, 127.0.0.1) and the WeChat
 * simulator, each in its own process, driven by autocannon from a third (bench/load.js); beside
 * them, in the same run, a Strapi for each build compared with: the original plugin 0.0.5 (from
 * ../shared/baselines/, on the working tree's playground with the User fields its README asked for)
 * and the releases v2.0.0 and v1.0.0 (built from git into .tmp/bench/releases/, each on the
 * playground as it was at its tag). Their logins run interleaved with the current build's, the order
 * rotating, and are compared round by round (bench/report.js: what each comparison must show).
 * Scenarios: returning users with 0.0.5's body `{ code, userInfo }` (the headline), with `{ code }`
 * only, with a new session key at every login (the worst case; otherwise the simulator keeps a user's
 * key 5 minutes, as WeChat renews it no more often than its minimum period), and new users.
 *
 *   npm run bench                          SQLite (a fresh file per build)
 *   DATABASE_CLIENT=postgres npm run bench PostgreSQL 127.0.0.1:5432 (databases wxauth_bench[_b1, _b2...], recreated)
 *   DATABASE_CLIENT=mysql npm run bench    MariaDB/MySQL 127.0.0.1:3306 (the same)
 *   npm run bench -- --profile             also writes a V8 CPU profile of Strapi to bench/results/
 *   npm run bench -- --profile --only=new  profile one scenario (after the warm-up) without writing a report
 *   npm run bench -- --heap-baseline       heap left after a full GC after 1,000 logins too (leak check; it
 *                                          also changes how V8 grows its heap, so RSS is no longer undisturbed)
 *   BENCH_SECONDS=5 npm run bench          shorter measured runs (default 10 s each)
 *   BENCH_ROUNDS=1 npm run bench           one round of the scenarios instead of three (medians reported)
 *   BENCH_COMPARE_ROUNDS=3 npm run bench   rounds with the baseline beside the current build (default 5; the
 *                                          first BENCH_ROUNDS are shared, the others hold only those pairs)
 *   BENCH_BASELINE_REF=none npm run bench  no comparison with a release (BENCH_BASELINE_REF=v2.0.0 or a comma-separated
 *                                          list of git refs: those; default v2.0.0,v1.0.0)
 *   BENCH_ORIGINAL=none npm run bench      without the original plugin 0.0.5 (BENCH_ORIGINAL=<path to its .tgz>: from
 *                                          there; by default ../shared/baselines/, and without it the rest runs)
 *   BENCH_REF_PLAYGROUND=current           builds from git refs on the working tree's playground instead of the
 *                                          playground of their own commit (the default: it sets up the app as they expect)
 *   BENCH_CURRENT_REF=v1.0.0 npm run bench a git ref measured as the current build (v1.0.0 against itself: how
 *                                          far apart two identical builds come out, i.e. the noise of the ratios)
 *   BENCH_LOGINS=5000 npm run bench        fewer logins before the last memory reading (default 20,000)
 *   BENCH_BASELINE_LOGINS=5000             returning logins each baseline makes before the rounds (default: as many as
 *                                          the current build's memory check, BENCH_LOGINS)
 *   BENCH_NODE_FLAGS='-r ./bench/what-if/credentials-cache.js' npm run bench   extra node flags for the current
 *                                          build's Strapi (bench/what-if/: measured alternatives, never part of the plugin)
 *
 * Every run is bounded (fixed duration or amount) and stops by itself; with the defaults a run takes
 * about 20 minutes on the 2-core bench machine (longer when other work shares its cores: the login
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
const { createMeter } = require('./measure');
const { playgroundFor, preparePlayground, storeOriginalCredentials } = require('./playground');
const { startSimulator, startStrapi, stopProcess } = require('./processes');
const { buildOriginal, buildRelease, describeWorkingTree } = require('./release');
const { checkCriterion, checkTargets, machine, writeReport } = require('./report');
const { localLogin, memoryCheck, runRounds, warmUp } = require('./scenarios');

const { DB, ONLY, PLAYGROUND, PROFILE, RESULTS, ROOT, WORK } = options;

const ownPlayground = options.REF_PLAYGROUND === 'release';
const missingRef = (ref) => `there is no git ref ${ref} in this clone (cloned without tags? \`git fetch --tags\`)`;
// The simulator's demo mini program (simulator/state.ts), which the original plugin is given as its credentials.
const DEMO_APP = { appId: 'wx0123456789abcdef', appSecret: '0123456789abcdef0123456789abcdef' };

/** The build measured as current: the working tree's (dist/ from `npm run build`), or BENCH_CURRENT_REF's. */
async function currentBuild() {
  if (!options.CURRENT_REF) return { build: { ...describeWorkingTree(), dir: ROOT }, appDir: PLAYGROUND };
  const build = buildRelease(options.CURRENT_REF);
  if (!build) throw new Error(`BENCH_CURRENT_REF: ${missingRef(options.CURRENT_REF)}`);
  return { build: { ...build, playground: ownPlayground ? 'release' : 'current' }, appDir: await playgroundFor(build, { name: 'current', ownPlayground }) };
}

/**
 * The builds compared with (none in an --only run): the original plugin 0.0.5 and the releases of BENCH_BASELINE_REF,
 * each { build, appDir }, and the ones that could not be measured, each { ref, reason }.
 */
async function baselineBuilds() {
  const builds = [];
  const skipped = [];
  if (ONLY) return { builds, skipped };
  const original = buildOriginal();
  if (original.skipped) skipped.push({ ref: 'v0.0.5', reason: original.skipped });
  else builds.push({ build: { ...original, playground: 'current' }, appDir: await playgroundFor(original, { name: 'v0.0.5' }) });
  for (const ref of options.BASELINE_REFS) {
    const build = buildRelease(ref);
    if (!build) {
      skipped.push({ ref, reason: missingRef(ref) });
      continue;
    }
    builds.push({ build: { ...build, playground: ownPlayground ? 'release' : 'current' }, appDir: await playgroundFor(build, { name: ref, ownPlayground }) });
  }
  for (const { ref, reason } of skipped) console.log(`\nNo comparison with ${ref}: ${reason}. The rest of the bench runs.\n`);
  return { builds, skipped };
}

async function main() {
  fs.mkdirSync(WORK, { recursive: true });
  fs.mkdirSync(RESULTS, { recursive: true });
  await preparePlayground();
  const current = await currentBuild();
  const baselines = await baselineBuilds();
  const runId = Date.now().toString(36);

  const started = [];
  try {
    const simulator = await startSimulator(current.build.dir);
    started.push(simulator.child);
    const simulatorUrl = `http://127.0.0.1:${simulator.port}`;

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
    console.log(`Strapi (pid ${strapi.pid}) on ${strapi.url}, simulator on ${simulatorUrl}, ${DB}, ${options.CONNECTIONS} connections`);

    const others = [];
    for (const [i, { build, appDir }] of baselines.builds.entries()) {
      const name = `strapi-${build.ref.replace(/[^\w.-]+/g, '_')}`;
      const other = await startStrapi({
        name,
        appDir,
        database: await prepareDatabase(`wxauth_bench_b${i + 1}`, '.tmp/bench.db', appDir),
        simulatorPort: simulator.port,
        heapFile: path.join(WORK, `heap-${name}.json`),
        // The playground's own bootstrap seeds its demo app through services the original plugin does not have.
        env: build.original ? { PLAYGROUND_SEED_CREDENTIALS: 'false' } : {},
      });
      started.push(other.child);
      if (build.original) await storeOriginalCredentials(other.url, DEMO_APP);
      console.log(`Strapi with the plugin as at ${build.ref} (pid ${other.pid}) on ${other.url}`);
      others.push({ build, other, phasePrefix: `b${i + 1}` });
    }

    // The local user for the users-permissions baseline.
    const local = { username: `bench${runId}`, email: `bench${runId}@example.com`, password: 'bench-Password-1' };
    const registered = await fetch(`${strapi.url}/api/auth/local/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(local),
    });
    if (registered.status !== 200) throw new Error(`could not register the local user: HTTP ${registered.status} ${await registered.text()}`);

    const load = { connections: options.CONNECTIONS, runId, identifier: local.email, password: local.password };
    // Each build its own returning users: the simulator's session keys are per user, shared by every build.
    const meterFor = ({ pid, url }, label, phasePrefix) =>
      createMeter({ pid, simulatorUrl, load: { ...load, url, user: `r${runId}${phasePrefix}` }, label, phasePrefix });
    const meter = meterFor(strapi, options.CURRENT_REF ? `@current=${options.CURRENT_REF}` : '', 'p');

    await warmUp(meter);
    if (ONLY) {
      await meter.measure(ONLY, { duration: options.SECONDS });
      return; // a profiling run: no report
    }
    const memory = await memoryCheck(meter, { totalLogins: options.TOTAL_LOGINS, heapFile: strapi.heapFile, heapBaseline: options.HEAP_BASELINE });
    const compared = [];
    const baselineMemory = {};
    for (const { build, other, phasePrefix } of others) {
      // Each baseline enters the rounds as the current build does: warm, after the same logins, right after a full GC.
      const otherMeter = meterFor(other, `@${build.ref}`, phasePrefix);
      await warmUp(otherMeter);
      baselineMemory[build.ref] = await memoryCheck(otherMeter, { totalLogins: Math.min(options.BASELINE_LOGINS, meter.logins), heapFile: other.heapFile });
      console.log(`  ${build.ref}: warmed up with ${otherMeter.logins} returning logins, then a full GC`);
      compared.push({ ref: build.ref, meter: otherMeter });
    }

    const { runs, comparison } = await runRounds({
      current: meter,
      baselines: compared,
      rounds: options.ROUNDS,
      compareRounds: options.COMPARE_ROUNDS,
      seconds: options.SECONDS,
    });
    runs.local = await localLogin(meter, { seconds: options.SECONDS, health: runs.health });

    const side = ({ dir, ...build }) => ({ ...build, dir: path.relative(ROOT, dir) || '.' });
    const report = {
      date: new Date().toISOString(),
      comparison: comparison
        ? {
            current: { ...side(current.build), loginsBeforeRounds: memory.totalLogins },
            rounds: options.COMPARE_ROUNDS,
            seconds: options.SECONDS,
            baselines: Object.fromEntries(
              others.map(({ build }) => [
                build.ref,
                {
                  build: { ...side(build), loginsBeforeRounds: baselineMemory[build.ref].totalLogins },
                  ...checkCriterion(comparison[build.ref], build.ref),
                  scenarios: comparison[build.ref],
                },
              ])
            ),
            skipped: baselines.skipped,
          }
        : null,
      machine: machine(),
      connections: options.CONNECTIONS,
      seconds: options.SECONDS,
      rounds: options.ROUNDS,
      runs,
      memory,
      baselineMemory,
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
