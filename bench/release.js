'use strict';

/**
 * The plugin as it was at a git ref (by default the previous release, tag v1.0.0), for measuring
 * beside the current build: `git archive <ref>` into .tmp/bench/releases/<ref>/, the repository's
 * node_modules linked in, and its own `tsc -p tsconfig.build.json`. Built once per commit (a stamp
 * file records which); the working tree and its git index are not touched.
 */
const fs = require('fs');
const path = require('path');
const { execFileSync } = require('child_process');
const { createHash } = require('crypto');
const { ORIGINAL_TGZ, ROOT, WORK } = require('./options');

const STAMP = '.bench-built-from';

/** The commit `name` names in this clone, or null. */
function commitOf(name) {
  try {
    return execFileSync('git', ['rev-parse', '--verify', '--quiet', `${name}^{commit}`], { cwd: ROOT, stdio: ['ignore', 'pipe', 'ignore'] })
      .toString()
      .trim();
  } catch {
    return null;
  }
}

/**
 * The commit `ref` names: a ref of this clone, or else a release tag's commit as releases.json records it (a
 * clone made without tags still has the release's commit). Null when neither is here.
 */
function resolveRef(ref) {
  const recorded = JSON.parse(fs.readFileSync(path.join(ROOT, 'releases.json'), 'utf8'))[ref];
  return commitOf(ref) ?? (recorded ? commitOf(recorded) : null);
}

/** What the working tree is: HEAD's commit, and whether it has changes not committed yet. */
function describeWorkingTree() {
  try {
    const commit = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: ROOT }).toString().trim();
    const changed = execFileSync('git', ['--no-optional-locks', 'status', '--porcelain', '--untracked-files=no'], { cwd: ROOT }).toString().trim() !== '';
    return { ref: 'working tree', commit, uncommittedChanges: changed };
  } catch {
    return { ref: 'working tree', commit: null, uncommittedChanges: null };
  }
}

/**
 * Builds the plugin at `ref` (or reuses the build of the same commit) and returns
 * { ref, commit, dir }, with dir the package root (package.json, strapi-server.js, dist/); null
 * when the ref does not exist here.
 */
function buildRelease(ref) {
  const commit = resolveRef(ref);
  if (!commit) return null;
  const dir = path.join(WORK, 'releases', ref.replace(/[^\w.-]+/g, '_'));
  const stamp = path.join(dir, STAMP);
  const built = fs.existsSync(stamp) && fs.readFileSync(stamp, 'utf8').trim() === commit && fs.existsSync(path.join(dir, 'dist', 'strapi-server.js'));
  if (!built) {
    console.log(`Building the plugin as at ${ref} (${commit.slice(0, 7)}) in ${path.relative(ROOT, dir)}...`);
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(dir, { recursive: true });
    execFileSync('sh', ['-c', 'git archive --format=tar "$1" | tar -x -C "$2"', 'sh', commit, dir], { cwd: ROOT, stdio: 'inherit' });
    // Its dependencies are the repository's (the same Strapi, the same versions of everything else).
    fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
    execFileSync(process.execPath, [require.resolve('typescript/bin/tsc', { paths: [ROOT] }), '-p', 'tsconfig.build.json'], { cwd: dir, stdio: 'inherit' });
    fs.writeFileSync(stamp, commit + '\n');
  }
  return { ref, commit, dir };
}

const ORIGINAL_WECHAT_ORIGIN = 'https://api.weixin.qq.com';

/**
 * The original plugin 0.0.5 from its packed tarball (ORIGINAL_TGZ), unpacked into .tmp/bench/releases/v0.0.5/ with
 * the repository's node_modules linked in (it requires axios and @strapi/utils from the app, declaring none). Its
 * one change: it calls https://api.weixin.qq.com itself, with no option to point it elsewhere, so that origin in
 * server/services/wechat.js becomes WECHAT_API_BASE_URL (the simulator). Returns { ref, commit: null, dir,
 * original: true }, or { skipped } saying why it is not here.
 */
function buildOriginal() {
  if (!ORIGINAL_TGZ) return { skipped: 'BENCH_ORIGINAL=none' };
  if (!fs.existsSync(ORIGINAL_TGZ))
    return { skipped: `no ${path.relative(ROOT, ORIGINAL_TGZ)} (the original plugin, packed; BENCH_ORIGINAL=<path> to give it)` };
  const digest = createHash('sha256').update(fs.readFileSync(ORIGINAL_TGZ)).digest('hex');
  const dir = path.join(WORK, 'releases', 'v0.0.5');
  const stamp = path.join(dir, STAMP);
  if (!(fs.existsSync(stamp) && fs.readFileSync(stamp, 'utf8').trim() === digest)) {
    console.log(`Unpacking the original plugin 0.0.5 from ${path.relative(ROOT, ORIGINAL_TGZ)} into ${path.relative(ROOT, dir)}...`);
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(dir, { recursive: true });
    execFileSync('tar', ['-xzf', ORIGINAL_TGZ, '-C', dir, '--strip-components=1'], { stdio: 'inherit' });
    const service = path.join(dir, 'server', 'services', 'wechat.js');
    const source = fs.readFileSync(service, 'utf8');
    if (source.split(ORIGINAL_WECHAT_ORIGIN).length !== 2) throw new Error(`${service}: expected ${ORIGINAL_WECHAT_ORIGIN} exactly once`);
    fs.writeFileSync(service, source.replace(ORIGINAL_WECHAT_ORIGIN, '${process.env.WECHAT_API_BASE_URL}'));
    fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
    fs.writeFileSync(stamp, digest + '\n');
  }
  return { ref: 'v0.0.5', commit: null, dir, original: true };
}

module.exports = { buildOriginal, buildRelease, describeWorkingTree, resolveRef };
