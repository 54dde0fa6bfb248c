/**
 * The playground (playground/, a TypeScript Strapi app) for browser tests: builds its admin when
 * the inputs changed since the last build, and runs `strapi start` on a free loopback port with
 * a fresh SQLite file, unseeded, against the given WeChat API origin.
 */
import { spawn, ChildProcess } from 'child_process';
import { createHash } from 'crypto';
import fs from 'fs';
import net from 'net';
import path from 'path';
import type { Page } from 'playwright-core';

export const REPO_ROOT = path.resolve(__dirname, '..', '..');
const PLAYGROUND = path.join(REPO_ROOT, 'playground');
const STRAPI_BIN = path.join(REPO_ROOT, 'node_modules', '.bin', 'strapi');
const BUILD_DIR = path.join(PLAYGROUND, 'dist', 'build');
// Inside dist/build, so any other `strapi build` (which empties that folder) invalidates it.
const STAMP = path.join(BUILD_DIR, '.e2e-inputs.sha256');

function listFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((entry) => (entry.isDirectory() ? listFiles(path.join(dir, entry.name)) : [path.join(dir, entry.name)]))
    .sort();
}

/** What the built admin (and the compiled playground server) depends on. */
function inputsHash(): string {
  const hash = createHash('sha256');
  const files = [
    ...listFiles(path.join(REPO_ROOT, 'dist', 'admin')),
    ...listFiles(path.join(REPO_ROOT, 'dist', 'admin-esm')),
    ...listFiles(path.join(PLAYGROUND, 'src')),
    ...listFiles(path.join(PLAYGROUND, 'config')),
    path.join(PLAYGROUND, 'package.json'),
    path.join(PLAYGROUND, 'tsconfig.json'),
    path.join(REPO_ROOT, 'node_modules', '@strapi', 'admin', 'package.json'),
  ];
  for (const file of files) {
    hash.update(path.relative(REPO_ROOT, file)).update('\0');
    hash.update(fs.existsSync(file) ? fs.readFileSync(file) : 'missing').update('\0');
  }
  return hash.digest('hex');
}

function run(command: string, args: string[], options: { cwd: string; env: NodeJS.ProcessEnv }): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(output) : reject(new Error(`${command} ${args.join(' ')} exited with ${code}:\n${output.slice(-4000)}`))));
  });
}

const baseEnv = (): NodeJS.ProcessEnv => {
  const env: NodeJS.ProcessEnv = { ...process.env, STRAPI_TELEMETRY_DISABLED: 'true', BROWSER: 'none' };
  // Apps come from the admin panel in these tests, or from what a test passes in `env`, never from the caller's environment.
  for (const name of ['WECHAT_APP_ID', 'WECHAT_APP_SECRET', 'WECHAT_APPS']) delete env[name];
  return env;
};

/** Runs `strapi build` in the playground unless its last build had the same inputs. Returns whether it built. */
export async function ensurePlaygroundBuilt(): Promise<boolean> {
  // The admin entry (package.json exports ./strapi-admin).
  if (!fs.existsSync(path.join(REPO_ROOT, 'dist', 'admin-esm', 'index.js'))) {
    throw new Error('The plugin is not built: run `npm run build` first (npm test does it).');
  }
  const wanted = inputsHash();
  if (fs.existsSync(STAMP) && fs.readFileSync(STAMP, 'utf8') === wanted && fs.existsSync(path.join(BUILD_DIR, 'index.html'))) {
    return false;
  }
  await run(STRAPI_BIN, ['build', '--ignore-prompts'], { cwd: PLAYGROUND, env: { ...baseEnv(), NODE_ENV: 'production' } });
  fs.writeFileSync(STAMP, wanted);
  return true;
}

/** `preferred` when it is free (stable URLs in screenshots), otherwise any free port. */
export function freePort(preferred = 0): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', (error) => {
      if (preferred) freePort(0).then(resolve, reject);
      else reject(error);
    });
    server.listen(preferred, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export interface RunningPlayground {
  url: string;
  /** Everything the Strapi process printed so far. */
  output(): string;
  stop(): Promise<void>;
}

export async function startPlayground({
  wechatApiBaseUrl,
  name,
  preferredPort,
  env = {},
}: {
  wechatApiBaseUrl: string;
  name: string;
  preferredPort?: number;
  /** More environment for Strapi, e.g. WECHAT_APPS (apps in config, see playground/config/plugins.ts). */
  env?: Record<string, string>;
}): Promise<RunningPlayground> {
  const port = await freePort(preferredPort);
  const dbFile = path.join(REPO_ROOT, '.tmp', 'e2e', `${name}.db`);
  fs.mkdirSync(path.dirname(dbFile), { recursive: true });
  for (const suffix of ['', '-wal', '-shm', '-journal']) fs.rmSync(dbFile + suffix, { force: true });

  const child: ChildProcess = spawn(STRAPI_BIN, ['start'], {
    cwd: PLAYGROUND,
    env: {
      ...baseEnv(),
      NODE_ENV: 'production',
      HOST: '127.0.0.1',
      PORT: String(port),
      DATABASE_CLIENT: 'sqlite',
      DATABASE_FILENAME: dbFile,
      PLAYGROUND_SEED_CREDENTIALS: 'false',
      WECHAT_API_BASE_URL: wechatApiBaseUrl,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let hasExited = false;
  void exited.then(() => (hasExited = true));

  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (hasExited) throw new Error(`strapi start exited early:\n${output.slice(-4000)}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`strapi start did not answer within 90 s:\n${output.slice(-4000)}`);
    }
    try {
      const res = await fetch(`${url}/_health`);
      if (res.status === 204) break;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }

  return {
    url,
    output: () => output,
    async stop() {
      if (hasExited) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** The playground's first start in the browser: the first admin registered through its form, the guided tour skipped. */
export async function registerFirstAdmin(page: Page, baseUrl: string, admin: { email: string; password: string; firstname: string; lastname: string }) {
  await page.goto(`${baseUrl}/admin`);
  await page.waitForURL(/\/admin\/auth\/register-admin/);
  await page.fill('input[name="firstname"]', admin.firstname);
  await page.fill('input[name="lastname"]', admin.lastname);
  await page.fill('input[name="email"]', admin.email);
  await page.fill('input[name="password"]', admin.password);
  await page.fill('input[name="confirmPassword"]', admin.password);
  await page.getByRole('button', { name: "Let's start" }).click();
  await page.waitForURL((url) => !url.pathname.includes('/auth/'));
  await skipGuidedTour(page);
}

/** Strapi's guided tour, when it shows (in any of the admin's languages). */
export async function skipGuidedTour(page: Page) {
  const skip = page.getByRole('button', { name: /Skip the tour|跳过|Passer/ });
  if (await skip.isVisible({ timeout: 3000 }).catch(() => false)) await skip.click();
}
