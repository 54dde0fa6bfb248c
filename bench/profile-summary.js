'use strict';

/**
 * Where the time went in a V8 CPU profile (`npm run bench -- --profile` writes one of Strapi):
 * self time by package and by function, plus total (inclusive) time of the plugin's functions.
 *   node bench/profile-summary.js bench/results/strapi-sqlite-<id>.cpuprofile [top=25] [regexp]
 */
const fs = require('fs');

const file = process.argv[2];
const top = Number(process.argv[3] || 25);
if (!file) {
  console.error('usage: node bench/profile-summary.js <file.cpuprofile> [top] [regexp]');
  process.exit(1);
}
const profile = JSON.parse(fs.readFileSync(file, 'utf8'));
const nodes = new Map(profile.nodes.map((n) => [n.id, n]));

// Sample durations: timeDeltas[i] is the time before samples[i].
const selfUs = new Map();
profile.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) || 0) + (profile.timeDeltas[i] || 0)));
const totalUs = [...selfUs.values()].reduce((a, b) => a + b, 0);

function where(frame) {
  const url = frame.url || '';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1];
  if (/\/dist\/server\//.test(url)) return 'plugin';
  if (url.startsWith('node:') || !url) return frame.functionName.startsWith('(') ? frame.functionName : 'node';
  return 'app';
}

const byPackage = new Map();
const byFunction = new Map();
for (const [id, us] of selfUs) {
  const { callFrame } = nodes.get(id);
  const pkg = where(callFrame);
  byPackage.set(pkg, (byPackage.get(pkg) || 0) + us);
  const key = `${callFrame.functionName || '(anonymous)'}  ${callFrame.url.replace(/^.*node_modules\//, '')}:${callFrame.lineNumber + 1}`;
  byFunction.set(key, (byFunction.get(key) || 0) + us);
}

// Inclusive time (each function counted once per sample stack): the plugin's functions, and
// every function whose name or file matches the optional third argument (a regular expression).
const match = process.argv[4] ? new RegExp(process.argv[4]) : null;
const parent = new Map();
for (const n of profile.nodes) for (const c of n.children || []) parent.set(c, n.id);
const inclusive = new Map();
const matched = new Map();
for (const [id, us] of selfUs) {
  const seen = new Set();
  for (let cur = id; cur !== undefined; cur = parent.get(cur)) {
    const { callFrame } = nodes.get(cur);
    const key = `${callFrame.functionName || '(anonymous)'}  ${callFrame.url.replace(/^.*\/(dist|node_modules)\//, '$1/')}:${callFrame.lineNumber + 1}`;
    if (seen.has(key)) continue;
    seen.add(key);
    if (where(callFrame) === 'plugin') inclusive.set(key, (inclusive.get(key) || 0) + us);
    if (match && match.test(key)) matched.set(key, (matched.get(key) || 0) + us);
  }
}

const pct = (us) => `${((us / totalUs) * 100).toFixed(1).padStart(5)}%`;
const print = (title, map, n) => {
  console.log(`\n${title}`);
  for (const [key, us] of [...map].sort((a, b) => b[1] - a[1]).slice(0, n)) console.log(`  ${pct(us)}  ${key}`);
};
console.log(`${file}: ${(totalUs / 1e6).toFixed(1)} s sampled`);
print('Self time by package', byPackage, top);
print('Self time by function', byFunction, top);
print('Total time in plugin functions', inclusive, top);
if (match) print(`Total time in functions matching ${match}`, matched, top);

// Top-down tree under the first frames matching BENCH_TREE (a regular expression), merged by
// function, down to 2% of the sampled time: where a request's time goes, step by step.
if (process.env.BENCH_TREE) {
  const rootMatch = new RegExp(process.env.BENCH_TREE);
  const incl = new Map();
  const totalOf = (id) => {
    if (incl.has(id)) return incl.get(id);
    const n = nodes.get(id);
    const t = (selfUs.get(id) || 0) + (n.children || []).reduce((a, c) => a + totalOf(c), 0);
    incl.set(id, t);
    return t;
  };
  const label = (f) => `${f.functionName || '(anonymous)'}  ${f.url.replace(/^.*\/(dist|node_modules)\//, '$1/')}:${f.lineNumber + 1}`;
  const roots = [];
  const findRoots = (id) => {
    const n = nodes.get(id);
    if (rootMatch.test(label(n.callFrame))) return roots.push(id);
    (n.children || []).forEach(findRoots);
  };
  findRoots(profile.nodes[0].id);
  const min = Number(process.env.BENCH_TREE_MIN || 0.02) * totalUs;
  const print = (ids, depth) => {
    const merged = new Map();
    for (const id of ids) {
      const key = label(nodes.get(id).callFrame);
      const m = merged.get(key) || { us: 0, children: [] };
      m.us += totalOf(id);
      m.children.push(...(nodes.get(id).children || []));
      merged.set(key, m);
    }
    for (const [key, m] of [...merged].sort((a, b) => b[1].us - a[1].us)) {
      if (m.us < min) continue;
      console.log(`${pct(m.us)}  ${'  '.repeat(depth)}${key}`);
      if (depth < 40) print(m.children, depth + 1);
    }
  };
  console.log(`\nTree under ${rootMatch}`);
  print(roots, 0);
}
