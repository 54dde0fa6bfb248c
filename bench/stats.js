'use strict';

/**
 * How the runs of several rounds become one figure: medians, and ratios taken within a round (the
 * machine drifts by about ±20% between runs; a drift touches the runs of one round alike).
 */

const round = (value, digits) => Math.round(value * 10 ** digits) / 10 ** digits;

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
    reqPerSec: round(
      pick((r) => r.reqPerSec),
      1
    ),
    latencyMs: { p50: pick((r) => r.latencyMs.p50), p99: pick((r) => r.latencyMs.p99) },
    cpuMsPerRequest: round(
      pick((r) => r.cpuMsPerRequest),
      3
    ),
    systemCpuMsPerRequest: round(
      pick((r) => r.systemCpuMsPerRequest),
      3
    ),
    throughputRatio: round(median(results.map((r, i) => r.reqPerSec / healths[i].reqPerSec)), 3),
    cpuRatio: round(median(results.map((r, i) => r.cpuMsPerRequest / healths[i].cpuMsPerRequest)), 2),
    each: results,
  };
}

/**
 * One scenario run by several builds in the same rounds ({ order, results: { current, <ref>... } } per round):
 * the current build's and `ref`'s medians, and the medians of the same-round ratios current ÷ `ref`.
 */
function compareRounds(rounds, ref) {
  const pairs = rounds.map((r) => ({ current: r.results.current, baseline: r.results[ref], first: r.order[0] }));
  const side = (key) => {
    const results = pairs.map((p) => p[key]);
    const pick = (f) => median(results.map(f));
    return {
      requests: results.reduce((sum, r) => sum + r.requests, 0),
      errors: results.reduce((sum, r) => sum + r.errors, 0),
      reqPerSec: round(
        pick((r) => r.reqPerSec),
        1
      ),
      cpuUsPerRequest: round(pick((r) => r.cpuMsPerRequest) * 1000, 1),
      latencyMs: { p50: pick((r) => r.latencyMs.p50), p99: pick((r) => r.latencyMs.p99) },
    };
  };
  const reqPerSecRatios = pairs.map((p) => p.current.reqPerSec / p.baseline.reqPerSec);
  const cpuRatios = pairs.map((p) => p.current.cpuMsPerRequest / p.baseline.cpuMsPerRequest);
  const each = pairs.map((p, i) => ({
    first: p.first,
    reqPerSecRatio: round(reqPerSecRatios[i], 3),
    cpuPerRequestRatio: round(cpuRatios[i], 3),
    current: { reqPerSec: p.current.reqPerSec, cpuUsPerRequest: round(p.current.cpuMsPerRequest * 1000, 1), errors: p.current.errors },
    baseline: { reqPerSec: p.baseline.reqPerSec, cpuUsPerRequest: round(p.baseline.cpuMsPerRequest * 1000, 1), errors: p.baseline.errors },
  }));
  return {
    rounds: pairs.length,
    reqPerSecRatio: round(median(reqPerSecRatios), 3),
    cpuPerRequestRatio: round(median(cpuRatios), 3),
    // 95% intervals of those medians (null under six rounds)
    reqPerSecInterval: medianInterval(reqPerSecRatios)?.map((r) => round(r, 3)) ?? null,
    cpuPerRequestInterval: medianInterval(cpuRatios)?.map((r) => round(r, 3)) ?? null,
    current: side('current'),
    baseline: side('baseline'),
    each,
  };
}

/**
 * A distribution-free confidence interval for the median of `values` (order statistics of the binomial sign test):
 * the k-th smallest and k-th largest value, k the largest rank at which the chance that fewer than k values fall below
 * the true median stays within (1 - confidence) / 2. Null when there are too few values for that confidence (n < 6 at 95%).
 */
function medianInterval(values, confidence = 0.95) {
  const sorted = [...values].sort((a, b) => a - b);
  const n = sorted.length;
  const tail = (1 - confidence) / 2;
  let below = 0; // P(Binomial(n, 1/2) < k), grown one k at a time
  let k = 0;
  for (let j = 0; j < n; j += 1) {
    const next = below + binomialHalf(n, j);
    if (next > tail) break;
    below = next;
    k = j + 1;
  }
  return k === 0 ? null : [sorted[k - 1], sorted[n - k]];
}

/** P(Binomial(n, 1/2) = j). */
function binomialHalf(n, j) {
  let logChoose = 0;
  for (let i = 1; i <= j; i += 1) logChoose += Math.log(n - j + i) - Math.log(i);
  return Math.exp(logChoose - n * Math.LN2);
}

module.exports = { combineRounds, compareRounds, median, medianInterval, round };
