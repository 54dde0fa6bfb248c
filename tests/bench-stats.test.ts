/**
 * The bench's figures from rounds (bench/stats.js): the 95% interval of a median from order statistics, and the
 * same-round ratios with their intervals that `npm run bench` and `npm run bench:activity` report.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { compareRounds, medianInterval } = require('../bench/stats');

const ranks = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

describe('medianInterval: a distribution-free 95% interval of the median', () => {
  it('has no interval under six values (no pair of order statistics covers 95%)', () => {
    expect(medianInterval(ranks(5))).toBeNull();
    expect(medianInterval([])).toBeNull();
  });

  // The ranks of the sign test's tables: n = 6: 1st and 6th; 9: 2nd, 8th; 15: 4th, 12th; 25: 8th, 18th; 60: 22nd, 39th.
  it.each([
    [6, [1, 6]],
    [9, [2, 8]],
    [15, [4, 12]],
    [25, [8, 18]],
    [60, [22, 39]],
  ])('n = %i: the interval is [x(k), x(n-k+1)] with the tables k', (n, expected) => {
    expect(medianInterval(ranks(n))).toEqual(expected);
  });

  it('sorts its input and leaves it as it was', () => {
    const values = [1.03, 0.97, 1.01, 0.99, 1.0, 1.02, 0.98];
    expect(medianInterval(values)).toEqual([0.97, 1.03]);
    expect(values).toEqual([1.03, 0.97, 1.01, 0.99, 1.0, 1.02, 0.98]);
  });

  it('covers the true median of a symmetric distribution in about 95% of samples', () => {
    let seed = 42;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    let covered = 0;
    const samples = 2000;
    for (let s = 0; s < samples; s += 1) {
      const [low, high] = medianInterval(Array.from({ length: 25 }, () => random() + random()));
      if (low <= 1 && high >= 1) covered += 1;
    }
    expect(covered / samples).toBeGreaterThan(0.93);
    expect(covered / samples).toBeLessThan(0.99);
  });
});

describe('compareRounds: same-round ratios current ÷ baseline', () => {
  const run = (reqPerSec: number, cpuMsPerRequest: number) => ({ reqPerSec, cpuMsPerRequest, requests: 100, errors: 0, latencyMs: { p50: 1, p99: 2 } });
  const rounds = ranks(9).map((i) => ({ order: ['current', 'off'], results: { current: run(100 + i, 1), off: run(100, 1 + i / 100) } }));

  it('gives the medians of the ratios and their intervals', () => {
    const c = compareRounds(rounds, 'off');
    expect(c.rounds).toBe(9);
    expect(c.reqPerSecRatio).toBe(1.05);
    expect(c.reqPerSecInterval).toEqual([1.02, 1.08]);
    expect(c.cpuPerRequestRatio).toBe(0.952);
    expect(c.cpuPerRequestInterval).toEqual([0.926, 0.98]);
  });
});
