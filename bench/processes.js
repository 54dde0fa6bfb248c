'use strict';

/**
 * The processes of a bench run: the WeChat simulator, the playground Strapi (one per build
 * measured) and one autocannon process per load run (bench/load.js). Each logs to
 * .tmp/bench/<name>.log; each is stopped by the run that started it.
 */
const fs = require('fs');
const net = require('net');
const path = require('path');
const { spawn } = require('child_process');
const { STRAPI_BIN, WORK } = require('./options');

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

const logFile = (name) => path.join(WORK, `${name}.log`);

/** A node process with its output in .tmp/bench/<name>.log; `child.exited` resolves when it ends. */
function startProcess(name, args, options) {
  fs.mkdirSync(WORK, { recursive: true });
  const log = fs.openSync(logFile(name), 'w');
  const child = spawn(process.execPath, args, { ...options, stdio: ['ignore', log, log] });
  fs.closeSync(log);
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
    if (child.exitCode !== null) throw new Error(`${name} exited early: see ${logFile(name)}`);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(1000) });
      if (res.status === status) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${name} did not answer ${url} within ${timeoutMs} ms: see ${logFile(name)}`);
}

const BENCH_ENCRYPTION_KEY = require('crypto').randomBytes(32).toString('base64');

/** The WeChat API simulator of `pluginDir`'s build, on a free port. */
async function startSimulator(pluginDir, name = 'simulator') {
  const port = await freePort();
  const child = startProcess(name, [path.join(pluginDir, 'dist', 'simulator', 'cli.js'), '--port', String(port)], { cwd: pluginDir });
  await waitFor(`http://127.0.0.1:${port}/__sim/stats`, { status: 200, timeoutMs: 10000, child, name });
  return { child, port };
}

/**
 * The playground in `appDir` (a compiled Strapi app), `strapi start` in production mode on a free
 * port, the WeChat API pointed at the simulator, rate limits off (one client address would hit
 * them), and `--expose-gc -r bench/heap-probe.js` so that its heap can be read after a full GC.
 */
async function startStrapi({ name, appDir, database, simulatorPort, heapFile, nodeFlags = [], env = {} }) {
  const port = await freePort();
  const child = startProcess(name, [...nodeFlags, '--expose-gc', '-r', path.join(__dirname, 'heap-probe.js'), STRAPI_BIN, 'start'], {
    cwd: appDir,
    env: {
      ...process.env,
      ...database,
      NODE_ENV: 'production',
      HOST: '127.0.0.1',
      PORT: String(port),
      WECHAT_API_BASE_URL: `http://127.0.0.1:${simulatorPort}`,
      // Secrets sealed at rest, as in production (releases before 1.1 ignore it).
      WECHAT_AUTH_ENCRYPTION_KEY: BENCH_ENCRYPTION_KEY,
      WECHAT_RATELIMIT_ENABLED: 'false',
      UP_RATELIMIT_ENABLED: 'false',
      STRAPI_TELEMETRY_DISABLED: 'true',
      BROWSER: 'none',
      BENCH_HEAP_FILE: heapFile,
      ...env,
    },
  });
  const url = `http://127.0.0.1:${port}`;
  await waitFor(`${url}/_health`, { status: 204, timeoutMs: 120000, child, name });
  return { child, url, pid: child.pid, heapFile };
}

/** Runs one load scenario in its own autocannon process (bench/load.js) and returns its figures. */
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

module.exports = { freePort, runLoad, startProcess, startSimulator, startStrapi, stopProcess, waitFor };
