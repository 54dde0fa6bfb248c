/**
 * Strapi apps in processes of their own (tests/helpers/serve-app.js), as instances behind a load
 * balancer, and whether the shared database server a test needs answers at all.
 */
import { spawn, spawnSync, ChildProcess } from 'child_process';
import path from 'path';
import { REPO_ROOT } from './test-app';

export interface Instance {
  url: string;
  child: ChildProcess;
  /** Everything the process printed (every log line: TEST_LOG_LEVEL=silly). */
  output: string[];
}

/** Boots the app in `appDir` in a child process; resolves once it listens. */
export function startInstance(appDir: string): Promise<Instance> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(REPO_ROOT, 'tests', 'helpers', 'serve-app.js'), appDir], {
      env: { ...process.env, TEST_LOG_LEVEL: 'silly', STRAPI_TELEMETRY_DISABLED: 'true' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const output: string[] = [];
    let buffered = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output.push(chunk.toString());
      buffered += chunk.toString();
      const line = buffered.split('\n').find((l) => l.startsWith('{"url"'));
      if (line) resolve({ url: (JSON.parse(line) as { url: string }).url, child, output });
    });
    child.stderr.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    child.once('exit', (code) => reject(new Error(`Strapi instance exited (${code}) before listening:\n${output.join('').slice(-3000)}`)));
  });
}

export async function stopInstance(instance?: Instance): Promise<void> {
  if (!instance || instance.child.exitCode !== null) return;
  const exited = new Promise((resolve) => instance.child.once('exit', resolve));
  instance.child.kill('SIGTERM');
  const timer = setTimeout(() => instance.child.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(timer);
}

/** Whether a `client` server answers on DATABASE_HOST/PORT (a TCP connect, decided synchronously so a test file can skip). */
export function databaseServerAnswers(client: 'postgres' | 'mysql'): boolean {
  const script =
    `const c=${JSON.stringify(client)};const h=process.env.DATABASE_HOST||'127.0.0.1';` +
    `const p=Number(process.env.DATABASE_PORT||(c==='postgres'?5432:3306));` +
    `require('net').connect({host:h,port:p,timeout:2000}).on('connect',()=>process.exit(0)).on('error',()=>process.exit(1)).on('timeout',()=>process.exit(1));`;
  return spawnSync(process.execPath, ['-e', script], { timeout: 5000 }).status === 0;
}

export const databaseServerAddress = (client: 'postgres' | 'mysql') =>
  `${process.env.DATABASE_HOST || '127.0.0.1'}:${process.env.DATABASE_PORT || (client === 'postgres' ? 5432 : 3306)}`;
