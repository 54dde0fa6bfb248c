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

const ROUNDS = Math.max(1, number('BENCH_ROUNDS', 3));

module.exports = {
  ROOT,
  PLAYGROUND: path.join(ROOT, 'playground'),
  RESULTS: path.join(__dirname, 'results'),
  /** Logs and the heap probe's file. */
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
  TOTAL_LOGINS: number('BENCH_LOGINS', 20000),
  /** Rounds of every scenario (health, invalid, returning, new); medians are reported. */
  ROUNDS,
  /** Extra node flags for Strapi (relative paths from the repository root). */
  NODE_FLAGS: (process.env.BENCH_NODE_FLAGS || '').split(/\s+/).filter(Boolean),

  PROFILE: flag('--profile'),
  /** `--heap-baseline`: also a full GC (and the heap it leaves) right after the first memory reading. */
  HEAP_BASELINE: flag('--heap-baseline'),
  /** `--only=health|invalid|returning|new|local`: the warm-up and that scenario alone, no report (for profiling). */
  ONLY: valueOf('--only'),
};
