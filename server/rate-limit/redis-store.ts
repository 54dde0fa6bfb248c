import type { CounterStore, Hit } from './counter-store';

/** The part of ioredis (https://github.com/redis/ioredis) this store uses. */
interface RedisClient {
  eval(script: string, numberOfKeys: number, ...args: (string | number)[]): Promise<unknown>;
  on(event: 'ready' | 'error' | 'end', listener: (error?: Error) => void): unknown;
  quit(): Promise<unknown>;
  disconnect(): void;
  status: string;
}
type RedisConstructor = new (url: string, options: Record<string, unknown>) => RedisClient;

export interface RedisStoreOptions {
  url: string;
  /** Put before every key, so that several apps (or test runs) can share one Redis. */
  prefix: string;
  /** The longest a request waits for Redis, in milliseconds. */
  timeout: number;
}

/** What the store tells about its health: once when Redis stops answering, once when it is back. */
export interface StoreHealthLog {
  down(reason: string): void;
  up(): void;
}

// One round trip: the count, and the window's expiry set by its first hit.
const HIT_SCRIPT = `
local count = redis.call('INCR', KEYS[1])
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return { count, ttl }`;

/** Why Redis did not count, without anything of the request in it. */
const reasonOf = (error: unknown) => (error instanceof Error ? error.message.slice(0, 200) : 'unknown error');

/**
 * Counts in Redis, shared by every instance pointed at it. Never holds a request longer than
 * `timeout`: without a connection a command fails at once (no offline queue), and a Redis that
 * stops answering times out. Either way `hit` resolves to null and the request goes through.
 */
export class RedisCounterStore implements CounterStore {
  private readonly client: RedisClient;
  private healthy = true;

  constructor(
    private readonly options: RedisStoreOptions,
    private readonly health: StoreHealthLog
  ) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded only when a Redis store is configured
    const Redis = require('ioredis') as RedisConstructor;
    this.client = new Redis(options.url, {
      enableOfflineQueue: false,
      commandTimeout: options.timeout,
      connectTimeout: Math.max(options.timeout, 1000),
      maxRetriesPerRequest: 0,
      autoResendUnfulfilledCommands: false,
      // Reconnect for ever, at most every 2 s: the limit comes back with Redis.
      retryStrategy: (attempt: number) => Math.min(attempt * 200, 2000),
    });
    // Connection errors arrive here too: counted as one outage by `hit`, not logged per event.
    this.client.on('error', () => undefined);
  }

  /** Waits (at most `waitMs`) for the first connection, so that the first requests after a start are counted. */
  ready(waitMs: number): Promise<void> {
    if (this.client.status === 'ready') return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, waitMs);
      this.client.on('ready', () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  async hit(key: string, windowMs: number): Promise<Hit | null> {
    try {
      const reply = await this.client.eval(HIT_SCRIPT, 1, `${this.options.prefix}${key}`, windowMs);
      const [count, ttl] = (reply as [number, number]).map(Number);
      this.markHealthy();
      return { count, resetAt: Date.now() + ttl };
    } catch (error) {
      this.markDown(reasonOf(error));
      return null;
    }
  }

  async close(): Promise<void> {
    if (this.client.status === 'ready') await this.client.quit().catch(() => undefined);
    this.client.disconnect();
  }

  private markHealthy() {
    if (this.healthy) return;
    this.healthy = true;
    this.health.up();
  }

  private markDown(reason: string) {
    if (!this.healthy) return;
    this.healthy = false;
    this.health.down(reason);
  }
}
