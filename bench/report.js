'use strict';

/**
 * The results of a bench run: the machine and the targets (against /_health), as JSON and
 * markdown in bench/results/latest.* and bench/results/<database>.*.
 */
const fs = require('fs');
const os = require('os');
const path = require('path');
const { CONNECTIONS, DB, RESULTS, ROOT } = require('./options');
const { LABELS } = require('./scenarios');
const { round } = require('./stats');

/** The issue's targets, as ratios to /_health in the same round. */
const TARGETS = { returningThroughput: 0.2, returningCpu: 6, newThroughput: 0.05, p99Ms: 100 };

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
    { name: `returning-user throughput ≥ ${TARGETS.returningThroughput}× /_health`, actual: `${ret.throughputRatio}×`, met: ret.throughputRatio >= TARGETS.returningThroughput },
    { name: `returning-user CPU/request ≤ ${TARGETS.returningCpu}× /_health`, actual: `${ret.cpuRatio}×`, met: ret.cpuRatio <= TARGETS.returningCpu },
    { name: `new-user throughput ≥ ${TARGETS.newThroughput}× /_health`, actual: `${fresh.throughputRatio}×`, met: fresh.throughputRatio >= TARGETS.newThroughput },
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

function markdown(report) {
  const { machine: m, runs, memory, targets } = report;
  const lines = [
    `Machine: ${m.cores} cores (${m.cpu}), ${m.memoryGiB} GiB RAM, ${m.os}, Node ${m.node}, Strapi ${m.strapi}, ${m.database}; ` +
      `Strapi, the simulator and autocannon share those cores. ${report.connections} connections, ${report.rounds} rounds of ${report.seconds} s runs (medians), ${report.date}.`,
    '',
    '| Scenario | req/s | × /_health | p50 ms | p99 ms | errors | Strapi CPU ms/req | × /_health CPU |',
    '|---|---:|---:|---:|---:|---:|---:|---:|',
  ];
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
    'Targets: ' +
      targets.map((t) => `${t.met ? '✅' : '❌'} ${t.name} (${t.actual})`).join('; ') +
      '.'
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

module.exports = { TARGETS, checkTargets, machine, markdown, writeReport };
