/**
 * Redis for the rate-limit tests: the machine's Redis (REDIS_URL, default redis://127.0.0.1:6379),
 * used under a key prefix of the test run's own and cleaned up after, and Redis servers a test
 * starts itself on a free port (to stop, pause and restart them; never the machine's).
 */
import { ChildProcess, execFileSync, spawn, spawnSync } from 'child_process';
import { createServer } from 'net';

export const REDIS_URL = process.env.REDIS_URL || 'redis://127.0.0.1:6379';

/** Whether Redis answers PING at `url` (decided synchronously, so that a test file can skip). */
export function redisAnswers(url: string = REDIS_URL): boolean {
  const result = spawnSync('redis-cli', ['-u', url, 'ping'], { timeout: 5000, encoding: 'utf8' });
  return result.status === 0 && result.stdout.trim() === 'PONG';
}

const redisServerInstalled = () => spawnSync('redis-server', ['--version'], { timeout: 5000 }).status === 0;

/**
 * `describe` when Redis answers and redis-server can be started, or when CI is set (then a missing Redis
 * fails the tests); else `describe.skip` with a warning.
 */
export function describeWithRedis(file: string): jest.Describe {
  if ((redisAnswers() && redisServerInstalled()) || process.env.CI) return describe;
  console.warn(`${file}: Redis tests skipped: no Redis answers at ${REDIS_URL} and no redis-cli/redis-server (with CI set, this is a failure instead)`);
  return describe.skip;
}

/** A key prefix no other test run uses. */
export const uniquePrefix = (name: string) => `wxauth-test:${name}:${process.pid}:${Date.now().toString(36)}:`;

/** Deletes every key under `prefix`. */
export function deleteKeys(prefix: string, url: string = REDIS_URL): void {
  const script = "local n = 0 for _, k in ipairs(redis.call('KEYS', ARGV[1])) do redis.call('DEL', k) n = n + 1 end return n";
  execFileSync('redis-cli', ['-u', url, 'EVAL', script, '0', `${prefix}*`], { timeout: 5000 });
}

export function keysUnder(prefix: string, url: string = REDIS_URL): string[] {
  return execFileSync('redis-cli', ['-u', url, '--scan', '--pattern', `${prefix}*`], { timeout: 5000, encoding: 'utf8' })
    .split('\n')
    .filter(Boolean);
}

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A redis-server of the test's own, on 127.0.0.1, without persistence. */
export class OwnRedis {
  private child: ChildProcess | null = null;

  private constructor(readonly port: number) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  static async start(): Promise<OwnRedis> {
    const redis = new OwnRedis(await freePort());
    await redis.restart();
    return redis;
  }

  /** Starts it again on the same port (empty: nothing was saved). */
  async restart(): Promise<void> {
    this.child = spawn('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
    for (let i = 0; i < 50 && !redisAnswers(this.url); i += 1) await sleep(100);
    if (!redisAnswers(this.url)) throw new Error(`redis-server did not start on port ${this.port}`);
  }

  /** It keeps its connections open and stops answering (SIGSTOP). */
  pause(): void {
    this.child?.kill('SIGSTOP');
  }

  resume(): void {
    this.child?.kill('SIGCONT');
  }

  /** Gone: its port refuses connections. */
  async kill(): Promise<void> {
    const child = this.child;
    this.child = null;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGCONT');
    child.kill('SIGKILL');
    await exited;
  }
}
