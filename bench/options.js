'use strict';

/**
 * Where things are and what a bench run is asked to do: paths, BENCH_* environment variables and
 * command-line flags, read once. See bench/run.js for how to use them.
 */
const path = require('path');

const ROOT = path.resolve(__dirname, '..');

const DB = (() => {
  const client = (process.env.DATABASE_CLIENT || 'sqlite').toLowerCase();
  if (client.startsWith('postgres')) return 'postgres';
  if (client.startsWith('mysql') || client === 'mariadb') return 'mysql';
  return 'sqlite';
})();

const flag = (name) => process.argv.includes(name);
const valueOf = (name) => (process.argv.find((a) => a.startsWith(`${name}=`)) || '').slice(name.length + 1) || null;
const number = (name, fallback) => (process.env[name] ? Number(process.env[name]) : fallback);
/** A git ref from the environment; '', 'none', 'off', '0' and 'false' turn it off. */
const ref = (name, fallback) => {
  const value = process.env[name] === undefined ? fallback : process.env[name].trim();
  return ['', 'none', 'off', '0', 'false'].includes(value.toLowerCase()) ? null : value;
};

const ROUNDS = Math.max(1, number('BENCH_ROUNDS', 3));
const TOTAL_LOGINS = number('BENCH_LOGINS', 20000);

module.exports = {
  ROOT,
  PLAYGROUND: path.join(ROOT, 'playground'),
  RESULTS: path.join(__dirname, 'results'),
  /** Logs, the heap probe's files, the releases built for comparison and their playground copies. */
  WORK: path.join(ROOT, '.tmp', 'bench'),
  STRAPI_BIN: path.join(ROOT, 'node_modules', '@strapi', 'strapi', 'bin', 'strapi.js'),
  PLUGIN_NAME: require('../package.json').name,
  DB,

  CONNECTIONS: number('BENCH_CONNECTIONS', 16),
  /** Duration of every measured run, in seconds. */
  SECONDS: number('BENCH_SECONDS', 10),
  /** The returning logins of the warm-up, after which memory is first read. */
  FIRST_LOGINS: 1000,
  /** Returning logins before the last memory reading. */
  TOTAL_LOGINS,
  /** Rounds of every scenario (health, invalid, returning, new); medians are reported. */
  ROUNDS,
  /**
   * The releases the current build is compared with, side by side in the same run (BENCH_BASELINE_REF: a
   * comma-separated list of git refs; none: no comparison with a release).
   */
  BASELINE_REFS: (ref('BENCH_BASELINE_REF', 'v2.0.0,v1.0.0') || '')
    .split(',')
    .map((r) => r.trim())
    .filter(Boolean),
  /**
   * The original plugin 0.0.5, packed (../shared/baselines/ beside the repository; BENCH_ORIGINAL=<path to the .tgz>
   * for another place, BENCH_ORIGINAL=none to leave it out): measured beside the others.
   */
  ORIGINAL_TGZ: (() => {
    const value = ref('BENCH_ORIGINAL', path.join(ROOT, '..', 'shared', 'baselines', 'strapi-wechat-miniprogram-auth-0.0.5.tgz'));
    return value === null ? null : path.resolve(ROOT, value);
  })(),
  /** How long the simulator keeps a user's session key in the scenarios where WeChat keeps it (it renews it at most so often). */
  KEPT_SESSION_KEY_MS: 5 * 60 * 1000,
  /**
   * Returning logins the baseline makes (warm-up included) before the rounds: by default as many as
   * the current build has made by then (TOTAL_LOGINS, the memory check), so that both enter the
   * rounds with the same history, right after a full GC. Fewer saves time (about 1 minute per
   * 20,000 on the bench machine), at the price of that symmetry.
   */
  BASELINE_LOGINS: number('BENCH_BASELINE_LOGINS', TOTAL_LOGINS),
  /** Rounds that include the baseline's returning and new-user runs (the first ones are shared with ROUNDS). */
  COMPARE_ROUNDS: Math.max(1, number('BENCH_COMPARE_ROUNDS', 5)),
  /**
   * Which playground runs a build made from a git ref (the baseline, BENCH_CURRENT_REF's):
   * 'release' (default), the playground of that same commit, which sets the app up the way that
   * version of the plugin expects (the working tree's seeds its demo app through services 1.0 does
   * not have); or 'current', the working tree's (only the plugin differs, while it still suits).
   */
  REF_PLAYGROUND: (process.env.BENCH_REF_PLAYGROUND || 'release').toLowerCase() === 'current' ? 'current' : 'release',
  /** A git ref measured as "current" instead of the working tree's build (BENCH_CURRENT_REF=v1.0.0: an A/A check). */
  CURRENT_REF: ref('BENCH_CURRENT_REF', ''),
  /** Extra node flags for the current build's Strapi only (relative paths from the repository root). */
  NODE_FLAGS: (process.env.BENCH_NODE_FLAGS || '').split(/\s+/).filter(Boolean),

  PROFILE: flag('--profile'),
  /** `--heap-baseline`: also a full GC (and the heap it leaves) right after the first memory reading. */
  HEAP_BASELINE: flag('--heap-baseline'),
  /** `--only=health|invalid|returning|new|local`: the warm-up and that scenario alone, no report (for profiling). */
  ONLY: valueOf('--only'),
};
