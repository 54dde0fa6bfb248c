'use strict';

/**
 * The results of a bench run: the machine, the targets (against /_health) and the release
 * criterion (against the baseline build), as JSON and markdown in bench/results/latest.* and
 * bench/results/<database>.*.
 */
const fs = require('fs');
const os = require('os');
const path = require('path');
const { CONNECTIONS, DB, RESULTS, ROOT } = require('./options');
const { LABELS } = require('./scenarios');
const { round } = require('./stats');

/** The issue's targets, as ratios to /_health in the same round. */
const TARGETS = { returningThroughput: 0.2, returningCpu: 6, newThroughput: 0.05, p99Ms: 100 };

/**
 * The next release's acceptance criterion, as same-round ratios current ÷ baseline (v1.0.0):
 * returning logins at least 1.3× the throughput and at most 0.75× the Strapi CPU per request; new
 * users no regression, taken as at least 0.95× the throughput and at most 1.05× the CPU per request
 * (single runs drift by about ±20% on the bench machine, the median of same-round ratios far less;
 * 5% is the room left for that noise).
 */
const CRITERION = { returningThroughput: 1.3, returningCpu: 0.75, newThroughput: 0.95, newCpu: 1.05 };
const MAX_ERROR_SHARE = 0.001;

function machine() {
  const cpus = os.cpus();
  return {
    cores: cpus.length,
    cpu: cpus[0] ? cpus[0].model.trim() : 'unknown',
    memoryGiB: round(os.totalmem() / 1024 ** 3, 1),
    os: `${os.type()} ${os.release()}`,
    node: process.version,
    strapi: require(path.join(ROOT, 'node_modules', '@strapi', 'strapi', 'package.json')).version,
    database: DB,
  };
}

function checkTargets(runs, memory, logins, loginErrors) {
  const ret = runs.returning;
  const fresh = runs.new;
  return [
    {
      name: `returning-user throughput ≥ ${TARGETS.returningThroughput}× /_health`,
      actual: `${ret.throughputRatio}×`,
      met: ret.throughputRatio >= TARGETS.returningThroughput,
    },
    { name: `returning-user CPU/request ≤ ${TARGETS.returningCpu}× /_health`, actual: `${ret.cpuRatio}×`, met: ret.cpuRatio <= TARGETS.returningCpu },
    {
      name: `new-user throughput ≥ ${TARGETS.newThroughput}× /_health`,
      actual: `${fresh.throughputRatio}×`,
      met: fresh.throughputRatio >= TARGETS.newThroughput,
    },
    { name: `no errors in ${logins} logins`, actual: `${loginErrors} errors`, met: loginErrors === 0 },
    {
      name: `login p99 ≤ ${TARGETS.p99Ms} ms at ${CONNECTIONS} connections`,
      actual: `${ret.latencyMs.p99} / ${fresh.latencyMs.p99} ms`,
      met: ret.latencyMs.p99 <= TARGETS.p99Ms && fresh.latencyMs.p99 <= TARGETS.p99Ms,
    },
    {
      name: `RSS after ${memory.totalLogins} logins within 10% of after ${memory.firstLogins}`,
      actual: `${memory.growthPercent >= 0 ? '+' : ''}${memory.growthPercent}%`,
      met: Math.abs(memory.growthPercent) <= 10,
    },
  ];
}

/** The release criterion on the comparison's same-round ratios; PASS when every line is met. */
function checkCriterion(scenarios, baselineRef) {
  const ret = scenarios.returning;
  const fresh = scenarios.new;
  const errors = (side) => ret[side].errors + fresh[side].errors;
  const errorShare = (side) => errors(side) / Math.max(ret[side].requests + fresh[side].requests, 1);
  const criteria = [
    {
      name: `returning-user throughput ≥ ${CRITERION.returningThroughput}× ${baselineRef}`,
      actual: `${ret.reqPerSecRatio}×`,
      met: ret.reqPerSecRatio >= CRITERION.returningThroughput,
    },
    {
      name: `returning-user Strapi CPU/request ≤ ${CRITERION.returningCpu}× ${baselineRef}`,
      actual: `${ret.cpuPerRequestRatio}×`,
      met: ret.cpuPerRequestRatio <= CRITERION.returningCpu,
    },
    {
      name: `new user no regression: throughput ≥ ${CRITERION.newThroughput}× and CPU/request ≤ ${CRITERION.newCpu}× ${baselineRef}`,
      actual: `${fresh.reqPerSecRatio}×, ${fresh.cpuPerRequestRatio}×`,
      met: fresh.reqPerSecRatio >= CRITERION.newThroughput && fresh.cpuPerRequestRatio <= CRITERION.newCpu,
    },
    // Not part of the criterion, but a run whose logins fail measures something else. A rare one
    // (both builds show about 1 in 40,000 under load) does not move the ratios.
    {
      name: `login errors ≤ ${MAX_ERROR_SHARE * 100}% of the compared logins (current / ${baselineRef})`,
      actual: `${errors('current')} / ${errors('baseline')}`,
      met: errorShare('current') <= MAX_ERROR_SHARE && errorShare('baseline') <= MAX_ERROR_SHARE,
    },
  ];
  return { criterion: CRITERION, criteria, verdict: criteria.every((c) => c.met) ? 'PASS' : 'FAIL' };
}

const sideName = (side) =>
  side.ref === 'working tree'
    ? `the working tree at ${side.commit ? side.commit.slice(0, 7) : '?'}${side.uncommittedChanges ? ' with uncommitted changes' : ''}`
    : `${side.ref} (${side.commit.slice(0, 7)})`;

function comparisonMarkdown(comparison) {
  const base = comparison.baseline.ref;
  if (comparison.skipped) return [`**Against ${base}**: not measured: ${comparison.skipped}.`];
  const cur = 'current';
  const lines = [
    `**Against ${base}** (release criterion, same run): current = ${sideName(comparison.current)}; ${base} = ${sideName(comparison.baseline)}, built from git, ` +
      `on ${comparison.baseline.playground === 'release' ? `the playground as at ${base}` : "the working tree's playground"}, its own database; each warmed up with returning logins (current ${comparison.current.loginsBeforeRounds}, ${base} ${comparison.baseline.loginsBeforeRounds}) and a full GC before the rounds. ` +
      `${comparison.rounds} rounds, in each the two builds' ${comparison.seconds} s runs back to back, the one going first alternating; ` +
      `medians, and × = the median of the same-round ratios ${cur} ÷ ${base}.`,
    '',
    `| Scenario | req/s ${cur} | req/s ${base} | **× req/s** | Strapi CPU µs/req ${cur} | CPU µs/req ${base} | **× CPU/req** | p99 ms ${cur} / ${base} | errors |`,
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const [key, c] of Object.entries(comparison.scenarios)) {
    lines.push(
      `| ${LABELS[key]} | ${c.current.reqPerSec} | ${c.baseline.reqPerSec} | **${c.reqPerSecRatio}** | ${c.current.cpuUsPerRequest} | ${c.baseline.cpuUsPerRequest} | ` +
        `**${c.cpuPerRequestRatio}** | ${c.current.latencyMs.p99} / ${c.baseline.latencyMs.p99} | ${c.current.errors} / ${c.baseline.errors} |`
    );
  }
  lines.push(
    '',
    'Each round (× req/s / × CPU/req, and which build ran first): ' +
      Object.entries(comparison.scenarios)
        .map(
          ([key, c]) => `${key} ${c.each.map((r) => `${r.reqPerSecRatio} / ${r.cpuPerRequestRatio} (${r.first === 'current' ? cur : base} first)`).join(', ')}`
        )
        .join('; ') +
      '.',
    '',
    `**Release criterion: ${comparison.verdict}**: ` + comparison.criteria.map((t) => `${t.met ? '✅' : '❌'} ${t.name} (${t.actual})`).join('; ') + '.'
  );
  return lines;
}

function markdown(report) {
  const { machine: m, runs, memory, targets } = report;
  const lines = [];
  if (report.comparison) lines.push(...comparisonMarkdown(report.comparison), '');
  lines.push(
    `Machine: ${m.cores} cores (${m.cpu}), ${m.memoryGiB} GiB RAM, ${m.os}, Node ${m.node}, Strapi ${m.strapi}, ${m.database}; ` +
      `Strapi, the simulator and autocannon share those cores. ${report.connections} connections, ${report.rounds} rounds of ${report.seconds} s runs (medians), ${report.date}.`,
    '',
    '| Scenario | req/s | × /_health | p50 ms | p99 ms | errors | Strapi CPU ms/req | × /_health CPU |',
    '|---|---:|---:|---:|---:|---:|---:|---:|'
  );
  for (const key of ['health', 'invalid', 'returning', 'new', 'local']) {
    const r = runs[key];
    lines.push(
      `| ${LABELS[key]} | ${r.reqPerSec} | ${r.throughputRatio} | ${r.latencyMs.p50} | ${r.latencyMs.p99} | ${r.errors} | ${r.cpuMsPerRequest} | ${r.cpuRatio} |`
    );
  }
  lines.push(
    '',
    `Memory (Strapi RSS): ${memory.rssAfterFirstLoginsMiB} MiB after the first ${memory.firstLogins} logins, ` +
      `${memory.rssAfterAllLoginsMiB} MiB after ${memory.totalLogins} (${memory.growthPercent >= 0 ? '+' : ''}${memory.growthPercent}%); ` +
      `along the way: ${memory.rssSeries.map((r) => `${r.rssMiB} MiB at ${r.logins}`).join(', ')}. ` +
      (memory.fullGcAfterFirstReading
        ? `Heap left after a full GC: ${memory.heapAfterGcFirstMiB} MiB after the first ${memory.firstLogins} logins, ` +
          `${memory.heapAfterGcAllMiB} MiB after ${memory.totalLogins} (--heap-baseline: that first GC also shapes the later RSS).`
        : `After ${memory.totalLogins} logins a full GC leaves ${memory.heapAfterGcAllMiB} MiB of heap (RSS then ${memory.rssAfterFinalGcMiB} MiB).`),
    '',
    'Targets: ' + targets.map((t) => `${t.met ? '✅' : '❌'} ${t.name} (${t.actual})`).join('; ') + '.'
  );
  return lines.join('\n') + '\n';
}

/** Writes bench/results/latest.{json,md} and <database>.{json,md}; returns the markdown. */
function writeReport(report) {
  const md = markdown(report);
  fs.mkdirSync(RESULTS, { recursive: true });
  for (const name of ['latest', DB]) {
    fs.writeFileSync(path.join(RESULTS, `${name}.json`), JSON.stringify(report, null, 2) + '\n');
    fs.writeFileSync(path.join(RESULTS, `${name}.md`), md);
  }
  return md;
}

module.exports = { CRITERION, TARGETS, checkCriterion, checkTargets, machine, markdown, writeReport };
