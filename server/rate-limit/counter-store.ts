/** One request counted: the count in the key's current window and when that window ends. */
export interface Hit {
  count: number;
  resetAt: number;
}

/**
 * Where the rate limits keep their counts (fixed windows). `hit` resolves to null when the store
 * cannot count right now: the request then goes through uncounted (the limit fails open).
 */
export interface CounterStore {
  hit(key: string, windowMs: number): Promise<Hit | null>;
  close(): Promise<void>;
}

/** Counts in this process alone: the default, right for one instance. */
export class MemoryCounterStore implements CounterStore {
  private readonly windows = new Map<string, Hit>();
  private nextSweep = 0;

  async hit(key: string, windowMs: number): Promise<Hit> {
    const now = Date.now();
    this.sweep(now);
    const current = this.windows.get(key);
    if (current && current.resetAt > now) {
      current.count += 1;
      return { ...current };
    }
    const fresh = { count: 1, resetAt: now + windowMs };
    this.windows.set(key, fresh);
    return { ...fresh };
  }

  async close(): Promise<void> {
    this.windows.clear();
  }

  /** Drops ended windows now and then, so that addresses seen once do not pile up. */
  private sweep(now: number) {
    if (now < this.nextSweep) return;
    this.nextSweep = now + 60_000;
    for (const [key, hit] of this.windows) if (hit.resetAt <= now) this.windows.delete(key);
  }
}
