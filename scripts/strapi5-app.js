'use strict';

/**
 * The Strapi 5 test app (tests/strapi5/app) has its own package-lock.json and node_modules: the Strapi 5
 * suites, the Strapi 5 admin type check and `npm run develop:strapi5` run against it. `ensureStrapi5App()`
 * installs it with `npm ci` when it has no node_modules yet or its lockfile changed since the last install
 * (a fresh clone needs nothing but `npm install` and `npm test`). Run as a script, it does just that.
 */
const fs = require('fs');
const path = require('path');
const { createHash } = require('crypto');
const { spawnSync } = require('child_process');

const APP = path.resolve(__dirname, '..', 'tests', 'strapi5', 'app');
const MODULES = path.join(APP, 'node_modules');
// Written after a successful install: the lockfile's hash it was installed from.
const STAMP = path.join(MODULES, '.installed-from-lockfile');

const lockfileHash = () =>
  createHash('sha256')
    .update(fs.readFileSync(path.join(APP, 'package-lock.json')))
    .digest('hex');

function run(args, options = {}) {
  const result = spawnSync('npm', args, { stdio: 'inherit', ...options });
  if (result.status !== 0) throw new Error(`npm ${args.join(' ')} failed (exit ${result.status ?? result.signal})`);
}

/** better-sqlite3 compiles from source here when no prebuilt binary fits: make sure it loads. */
function sqliteLoads() {
  const probe = spawnSync(process.execPath, ['-e', "new (require('better-sqlite3'))(':memory:')"], { cwd: APP, stdio: 'ignore' });
  return probe.status === 0;
}

function ensureStrapi5App() {
  const hash = lockfileHash();
  const current = fs.existsSync(STAMP) && fs.readFileSync(STAMP, 'utf8').trim() === hash;
  if (current) return false;
  console.log('Installing the Strapi 5 test app (tests/strapi5/app, npm ci): once, a few minutes...');
  run(['ci', '--prefix', APP, '--no-audit', '--no-fund']);
  if (!sqliteLoads()) run(['rebuild', '--prefix', APP, 'better-sqlite3']);
  fs.writeFileSync(STAMP, `${hash}\n`);
  return true;
}

module.exports = { ensureStrapi5App, STRAPI5_APP: APP };

if (require.main === module) {
  try {
    ensureStrapi5App();
  } catch (error) {
    console.error(error.message);
    process.exit(1);
  }
}
