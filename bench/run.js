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
 * Every run is bounded (fixed duration or amount) and stops by itself. Results go to
 * bench/results/latest.{json,md} and bench/results/<database>.{json,md}.
 */
const fs = require('fs');
const os = require('os');
const net = require('net');
const path = require('path');
const { spawn, execFileSync } = require('child_process');

const ROOT = path.resolve(__dirname, '..');
const PLAYGROUND = path.join(ROOT, 'playground');
const RESULTS = path.join(__dirname, 'results');
const WORK = path.join(ROOT, '.tmp', 'bench');
const STRAPI_BIN = path.join(ROOT, 'node_modules', '@strapi', 'strapi', 'bin', 'strapi.js');

const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS || 16);
const SECONDS = Number(process.env.BENCH_SECONDS || 10);
const FIRST_LOGINS = 1000;
const TOTAL_LOGINS = Number(process.env.BENCH_LOGINS || 20000);
const PROFILE = process.argv.includes('--profile');
/** `--heap-baseline`: also a full GC (and the heap it leaves) right after the first memory reading. */
const HEAP_BASELINE = process.argv.includes('--heap-baseline');
/** `--only=health|invalid|returning|new|local`: the warm-up and that scenario alone, no report (for profiling). */
const ONLY = (process.argv.find((a) => a.startsWith('--only=')) || '').slice('--only='.length) || null;
const DB = (() => {
  const client = (process.env.DATABASE_CLIENT || 'sqlite').toLowerCase();
  if (client.startsWith('postgres')) return 'postgres';
  if (client.startsWith('mysql') || client === 'mariadb') return 'mysql';
  return 'sqlite';
})();

const ROUNDS = Math.max(1, Number(process.env.BENCH_ROUNDS || 3));
const ROUNDED_SCENARIOS = ['health', 'invalid', 'returning', 'new'];

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};

/** One scenario's rounds as one line: medians, with the ratios taken to each round's own /_health. */
function combineRounds(results, healths) {
  const pick = (f) => median(results.map(f));
  return {
    scenario: results[0].scenario,
    rounds: results.length,
    requests: results.reduce((sum, r) => sum + r.requests, 0),
    errors: results.reduce((sum, r) => sum + r.errors, 0),
    reqPerSec: round(pick((r) => r.reqPerSec), 1),
    latencyMs: { p50: pick((r) => r.latencyMs.p50), p99: pick((r) => r.latencyMs.p99) },
    cpuMsPerRequest: round(pick((r) => r.cpuMsPerRequest), 3),
    systemCpuMsPerRequest: round(pick((r) => r.systemCpuMsPerRequest), 3),
    throughputRatio: round(median(results.map((r, i) => r.reqPerSec / healths[i].reqPerSec)), 3),
    cpuRatio: round(median(results.map((r, i) => r.cpuMsPerRequest / healths[i].cpuMsPerRequest)), 2),
    each: results,
  };
}

const TARGETS = { returningThroughput: 0.2, returningCpu: 6, newThroughput: 0.05, p99Ms: 100 };

// ---------------------------------------------------------------------------------------------
// Processes

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

function startProcess(name, args, options) {
  fs.mkdirSync(WORK, { recursive: true });
  const log = fs.openSync(path.join(WORK, `${name}.log`), 'w');
  const child = spawn(process.execPath, args, { ...options, stdio: ['ignore', log, log] });
  child.exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  return child;
}

async function stopProcess(child, timeoutMs = 15000) {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGINT');
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  await child.exited;
  clearTimeout(timer);
}

async function waitFor(url, { status, timeoutMs, child, name }) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${name} exited early: see ${path.join(WORK, `${name}.log`)}`);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(1000) });
      if (res.status === status) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${name} did not answer ${url} within ${timeoutMs} ms: see ${path.join(WORK, `${name}.log`)}`);
}

/** Runs one load scenario in its own process and returns its figures. */
function runLoad(options) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(__dirname, 'load.js'), JSON.stringify(options)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`load generator failed (${code})`))));
  });
}

// ---------------------------------------------------------------------------------------------
// /proc

const CLK_TCK = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
  } catch {
    return 100;
  }
})();

/** User and system CPU seconds the process has used so far. */
function cpuSeconds(pid) {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // Fields after the command name start at field 3 (state): utime is field 14, stime field 15.
  return { user: Number(fields[11]) / CLK_TCK, system: Number(fields[12]) / CLK_TCK };
}

const HEAP_FILE = path.join(WORK, 'heap.json');

/** The heap that survives a full garbage collection in Strapi (see bench/heap-probe.js), in MiB. */
async function heapAfterGcMiB(pid) {
  fs.rmSync(HEAP_FILE, { force: true });
  process.kill(pid, 'SIGUSR2');
  for (let i = 0; i < 100 && !fs.existsSync(HEAP_FILE); i += 1) await new Promise((r) => setTimeout(r, 50));
  return round(JSON.parse(fs.readFileSync(HEAP_FILE, 'utf8')).heapUsed / 1024 / 1024, 1);
}

function rssMiB(pid) {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)[1]) / 1024;
}

/**
 * The plugin is built by `npm run build` (npm run bench runs it first). The playground's server
 * code is compiled here as `strapi build` compiles it; its admin panel, which plays no part in
 * what is measured, is built only when missing (`npm run build:playground` rebuilds everything).
 */
async function preparePlayground() {
  require('../scripts/link-self').linkSelf();
  await require('@strapi/typescript-utils').compile(PLAYGROUND);
  if (!fs.existsSync(path.join(PLAYGROUND, 'dist', 'build', 'index.html'))) {
    console.log('Building the playground admin panel (once)...');
    execFileSync(process.execPath, [STRAPI_BIN, 'build'], { cwd: PLAYGROUND, stdio: 'inherit', env: { ...process.env, STRAPI_TELEMETRY_DISABLED: 'true' } });
  }
}

// ---------------------------------------------------------------------------------------------
// Database

async function prepareDatabase(name = 'wxauth_bench', sqliteFile = '.tmp/bench.db') {
  if (DB === 'sqlite') {
    fs.rmSync(path.join(PLAYGROUND, sqliteFile), { force: true });
    return { DATABASE_CLIENT: 'sqlite', DATABASE_FILENAME: sqliteFile };
  }
  const host = process.env.DATABASE_HOST || '127.0.0.1';
  const port = Number(process.env.DATABASE_PORT || (DB === 'postgres' ? 5432 : 3306));
  const user = process.env.DATABASE_USERNAME || (DB === 'postgres' ? 'postgres' : 'root');
  const password = process.env.DATABASE_PASSWORD || '';
  if (DB === 'postgres') {
    const { Client } = require('pg');
    const admin = new Client({ host, port, user, password, database: 'postgres' });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await admin.query(`CREATE DATABASE "${name}"`);
    await admin.end();
  } else {
    const mysql = require('mysql2/promise');
    const admin = await mysql.createConnection({ host, port, user, password });
    await admin.query(`DROP DATABASE IF EXISTS \`${name}\``);
    await admin.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
    await admin.end();
  }
  return {
    DATABASE_CLIENT: DB,
    DATABASE_HOST: host,
    DATABASE_PORT: String(port),
    DATABASE_USERNAME: user,
    DATABASE_PASSWORD: password,
    DATABASE_NAME: name,
  };
}

// ---------------------------------------------------------------------------------------------
// Report

const round = (value, digits) => Math.round(value * 10 ** digits) / 10 ** digits;

function machine() {
  const cpus = os.cpus();
  return {
    cores: cpus.length,
    cpu: cpus[0] ? cpus[0].model.trim() : 'unknown',
    memoryGiB: round(os.totalmem() / 1024 ** 3, 1),
    os: `${os.type()} ${os.release()}`,
    node: process.version,
    strapi: require(path.join(ROOT, 'node_modules', '@strapi', 'strapi', 'package.json')).version,
    database: DB,
  };
}

function markdown(report) {
  const { machine: m, runs, memory, targets } = report;
  const label = {
    health: '`GET /_health` (baseline)',
    local: 'users-permissions `POST /api/auth/local` (baseline)',
    returning: 'WeChat login, returning user',
    new: 'WeChat login, new user',
    invalid: 'WeChat login refused at validation (400): the floor of a routed JSON POST',
  };
  const lines = [
    `Machine: ${m.cores} cores (${m.cpu}), ${m.memoryGiB} GiB RAM, ${m.os}, Node ${m.node}, Strapi ${m.strapi}, ${m.database}; ` +
      `Strapi, the simulator and autocannon share those cores. ${report.connections} connections, ${report.rounds} rounds of ${report.seconds} s runs (medians), ${report.date}.`,
    '',
    '| Scenario | req/s | × /_health | p50 ms | p99 ms | errors | Strapi CPU ms/req | × /_health CPU |',
    '|---|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const key of ['health', 'invalid', 'returning', 'new', 'local']) {
    const r = runs[key];
    lines.push(
      `| ${label[key]} | ${r.reqPerSec} | ${r.throughputRatio} | ${r.latencyMs.p50} | ${r.latencyMs.p99} | ${r.errors} | ${r.cpuMsPerRequest} | ${r.cpuRatio} |`
    );
  }
  lines.push(
    '',
    `Memory (Strapi RSS): ${memory.rssAfterFirstLoginsMiB} MiB after the first ${memory.firstLogins} logins, ` +
      `${memory.rssAfterAllLoginsMiB} MiB after ${memory.totalLogins} (${memory.growthPercent >= 0 ? '+' : ''}${memory.growthPercent}%); ` +
      `along the way: ${memory.rssSeries.map((r) => `${r.rssMiB} MiB at ${r.logins}`).join(', ')}. ` +
      (memory.fullGcAfterFirstReading
        ? `Heap left after a full GC: ${memory.heapAfterGcFirstMiB} MiB after the first ${memory.firstLogins} logins, ` +
          `${memory.heapAfterGcAllMiB} MiB after ${memory.totalLogins} (--heap-baseline: that first GC also shapes the later RSS).`
        : `After ${memory.totalLogins} logins a full GC leaves ${memory.heapAfterGcAllMiB} MiB of heap (RSS then ${memory.rssAfterFinalGcMiB} MiB).`),
    '',
    'Targets: ' +
      targets.map((t) => `${t.met ? '✅' : '❌'} ${t.name} (${t.actual})`).join('; ') +
      '.'
  );
  return lines.join('\n') + '\n';
}

function checkTargets(runs, memory, logins, loginErrors) {
  const ret = runs.returning;
  const fresh = runs.new;
  return [
    { name: `returning-user throughput ≥ ${TARGETS.returningThroughput}× /_health`, actual: `${ret.throughputRatio}×`, met: ret.throughputRatio >= TARGETS.returningThroughput },
    { name: `returning-user CPU/request ≤ ${TARGETS.returningCpu}× /_health`, actual: `${ret.cpuRatio}×`, met: ret.cpuRatio <= TARGETS.returningCpu },
    { name: `new-user throughput ≥ ${TARGETS.newThroughput}× /_health`, actual: `${fresh.throughputRatio}×`, met: fresh.throughputRatio >= TARGETS.newThroughput },
    { name: `no errors in ${logins} logins`, actual: `${loginErrors} errors`, met: loginErrors === 0 },
    {
      name: `login p99 ≤ ${TARGETS.p99Ms} ms at ${CONNECTIONS} connections`,
      actual: `${ret.latencyMs.p99} / ${fresh.latencyMs.p99} ms`,
      met: ret.latencyMs.p99 <= TARGETS.p99Ms && fresh.latencyMs.p99 <= TARGETS.p99Ms,
    },
    {
      name: `RSS after ${memory.totalLogins} logins within 10% of after ${memory.firstLogins}`,
      actual: `${memory.growthPercent >= 0 ? '+' : ''}${memory.growthPercent}%`,
      met: Math.abs(memory.growthPercent) <= 10,
    },
  ];
}

// ---------------------------------------------------------------------------------------------

async function main() {
  fs.mkdirSync(WORK, { recursive: true });
  fs.mkdirSync(RESULTS, { recursive: true });
  await preparePlayground();
  const database = await prepareDatabase();
  const [simPort, strapiPort] = [await freePort(), await freePort()];
  const runId = Date.now().toString(36);

  let simulator;
  let strapi;
  try {
    simulator = startProcess('simulator', [path.join(ROOT, 'dist', 'simulator', 'cli.js'), '--port', String(simPort)], { cwd: ROOT });
    await waitFor(`http://127.0.0.1:${simPort}/__sim/stats`, { status: 200, timeoutMs: 10000, child: simulator, name: 'simulator' });

    const nodeFlags = PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${RESULTS}`, `--cpu-prof-name=strapi-${DB}-${runId}.cpuprofile`] : [];
    // Relative paths in BENCH_NODE_FLAGS (e.g. `-r ./bench/what-if/credentials-cache.js`) are from the repository root.
    const extra = (process.env.BENCH_NODE_FLAGS || '').split(/\s+/).filter(Boolean);
    nodeFlags.push(...extra.map((flag) => (flag.startsWith('./') ? path.join(ROOT, flag) : flag)));
    nodeFlags.push('--expose-gc', '-r', path.join(__dirname, 'heap-probe.js'));
    strapi = startProcess('strapi', [...nodeFlags, STRAPI_BIN, 'start'], {
      cwd: PLAYGROUND,
      env: {
        ...process.env,
        ...database,
        NODE_ENV: 'production',
        HOST: '127.0.0.1',
        PORT: String(strapiPort),
        WECHAT_API_BASE_URL: `http://127.0.0.1:${simPort}`,
        WECHAT_RATELIMIT_ENABLED: 'false',
        UP_RATELIMIT_ENABLED: 'false',
        STRAPI_TELEMETRY_DISABLED: 'true',
        BROWSER: 'none',
        BENCH_HEAP_FILE: HEAP_FILE,
      },
    });
    const url = `http://127.0.0.1:${strapiPort}`;
    await waitFor(`${url}/_health`, { status: 204, timeoutMs: 120000, child: strapi, name: 'strapi' });
    const pid = strapi.pid;
    console.log(`Strapi (pid ${pid}) on ${url}, simulator on 127.0.0.1:${simPort}, ${DB}, ${CONNECTIONS} connections`);

    // The local user for the users-permissions baseline.
    const local = { username: `bench${runId}`, email: `bench${runId}@example.com`, password: 'bench-Password-1' };
    const registered = await fetch(`${url}/api/auth/local/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(local),
    });
    if (registered.status !== 200) throw new Error(`could not register the local user: HTTP ${registered.status} ${await registered.text()}`);

    const base = { url, connections: CONNECTIONS, runId, user: `r${runId}`, identifier: local.email, password: local.password };
    let logins = 0;
    let loginErrors = 0;
    let phase = 0;
    const measure = async (scenario, bound, { quiet = false } = {}) => {
      const before = cpuSeconds(pid);
      phase += 1;
      const result = await runLoad({ ...base, scenario, phase: `p${phase}`, ...bound });
      const after = cpuSeconds(pid);
      const cpu = after.user - before.user + (after.system - before.system);
      result.systemCpuMsPerRequest = round(((after.system - before.system) * 1000) / Math.max(result.requests, 1), 3);
      if (scenario === 'returning' || scenario === 'new') {
        logins += result.requests;
        loginErrors += result.errors;
      }
      result.cpuMsPerRequest = round((cpu * 1000) / Math.max(result.requests, 1), 3);
      result.reqPerSec = round(result.reqPerSec, 1);
      const line =
        `  ${scenario.padEnd(9)} ${String(result.requests).padStart(6)} requests  ${String(result.reqPerSec).padStart(7)} req/s  ` +
        `p50 ${result.latencyMs.p50} ms  p99 ${result.latencyMs.p99} ms  errors ${result.errors}  ` +
        `CPU ${result.cpuMsPerRequest} ms/req (system ${result.systemCpuMsPerRequest})`;
      if (!quiet) console.log(line);
      return result;
    };

    // Warm-up, and the first memory reading: the first 1,000 logins.
    await measure('health', { amount: 2000 });
    await measure('returning', { amount: FIRST_LOGINS });
    const rssAfterFirst = rssMiB(pid);
    const firstLogins = logins;
    const rssSeries = [{ logins, rssMiB: round(rssAfterFirst, 1) }];
    // A full GC here changes how V8 sizes its heap afterwards (RSS then stays near this reading),
    // so it is opt-in: by default the RSS comparison is of an undisturbed process.
    const heapAfterFirst = HEAP_BASELINE ? await heapAfterGcMiB(pid) : null;

    if (ONLY) {
      await measure(ONLY, { duration: SECONDS });
      return; // a profiling run: no report
    }
    // Returning-user logins up to TOTAL_LOGINS in steps, an RSS reading after each (a plateau is
    // the heap settling, a slope a leak), then the second reading and the heap a full GC leaves.
    while (logins < TOTAL_LOGINS) {
      await measure('returning', { amount: Math.min(5000, TOTAL_LOGINS - logins) }, { quiet: true });
      rssSeries.push({ logins, rssMiB: round(rssMiB(pid), 1) });
    }
    const memoryLogins = logins;
    const rssAfterAll = rssMiB(pid);
    const heapAfterAll = await heapAfterGcMiB(pid);
    const rssAfterGc = rssMiB(pid);

    // Rounds of every scenario in turn: the machine's speed drifts between runs, and a drift then
    // touches each scenario and its baseline alike. Each figure is the median over the rounds, each
    // ratio the median of the ratios to /_health in the same round.
    const rounds = [];
    for (let i = 0; i < ROUNDS; i += 1) {
      const roundRuns = {};
      for (const scenario of ROUNDED_SCENARIOS) roundRuns[scenario] = await measure(scenario, { duration: SECONDS });
      rounds.push(roundRuns);
    }
    const runs = {};
    for (const scenario of ROUNDED_SCENARIOS) runs[scenario] = combineRounds(rounds.map((r) => r[scenario]), rounds.map((r) => r.health));
    // Once: bcrypt makes it slow, and it is only there for scale.
    runs.local = combineRounds([await measure('local', { duration: SECONDS })], [runs.health]);

    const memory = {
      firstLogins,
      totalLogins: memoryLogins,
      rssAfterFirstLoginsMiB: round(rssAfterFirst, 1),
      rssAfterAllLoginsMiB: round(rssAfterAll, 1),
      growthPercent: round(((rssAfterAll - rssAfterFirst) / rssAfterFirst) * 100, 1),
      rssSeries,
      heapAfterGcFirstMiB: heapAfterFirst,
      heapAfterGcAllMiB: heapAfterAll,
      rssAfterFinalGcMiB: round(rssAfterGc, 1),
      fullGcAfterFirstReading: HEAP_BASELINE,
    };
    const report = {
      date: new Date().toISOString(),
      machine: machine(),
      connections: CONNECTIONS,
      seconds: SECONDS,
      rounds: ROUNDS,
      runs,
      memory,
      logins,
      loginErrors,
      targets: checkTargets(runs, memory, logins, loginErrors),
    };
    const md = markdown(report);
    for (const name of ['latest', DB]) {
      fs.writeFileSync(path.join(RESULTS, `${name}.json`), JSON.stringify(report, null, 2) + '\n');
      fs.writeFileSync(path.join(RESULTS, `${name}.md`), md);
    }
    console.log('\n' + md);
    console.log(`Written to ${path.relative(ROOT, path.join(RESULTS, 'latest.md'))} and ${DB}.md`);
  } finally {
    await stopProcess(strapi);
    await stopProcess(simulator);
    if (PROFILE) console.log(`CPU profile: bench/results/strapi-${DB}-${runId}.cpuprofile (summary: node bench/profile-summary.js <file>)`);
  }
}

if (require.main === module) {
  main().catch((error) => {
    console.error(error.message);
    process.exit(1);
  });
}

module.exports = { DB, PLAYGROUND, RESULTS, ROOT, freePort, machine, prepareDatabase, preparePlayground, round, startProcess, stopProcess, waitFor };
