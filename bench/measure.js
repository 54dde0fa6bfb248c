'use strict';

/**
 * What is read from a Strapi process: its CPU time (/proc/<pid>/stat, user + system), its RSS
 * (/proc/<pid>/status) and the heap left after a full GC (bench/heap-probe.js, on SIGUSR2); and a
 * meter that runs one load scenario against it with the CPU it used per request.
 */
const fs = require('fs');
const { execFileSync } = require('child_process');
const { runLoad } = require('./processes');
const { round } = require('./stats');

const CLK_TCK = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
  } catch {
    return 100;
  }
})();

/** User and system CPU seconds the process has used so far. */
function cpuSeconds(pid) {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // Fields after the command name start at field 3 (state): utime is field 14, stime field 15.
  return { user: Number(fields[11]) / CLK_TCK, system: Number(fields[12]) / CLK_TCK };
}

function rssMiB(pid) {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)[1]) / 1024;
}

/** The heap that survives a full garbage collection in the process (it writes `heapFile`), in MiB. */
async function heapAfterGcMiB(pid, heapFile) {
  fs.rmSync(heapFile, { force: true });
  process.kill(pid, 'SIGUSR2');
  for (let i = 0; i < 100 && !fs.existsSync(heapFile); i += 1) await new Promise((r) => setTimeout(r, 50));
  return round(JSON.parse(fs.readFileSync(heapFile, 'utf8')).heapUsed / 1024 / 1024, 1);
}

/**
 * `meter.measure(scenario, { duration | amount })` runs the scenario against one Strapi process and
 * returns autocannon's figures with the process's CPU per request; the meter counts the logins it
 * made and their errors. `label` tells its console lines apart, `phasePrefix` keeps its WeChat codes
 * (single-use, one simulator for every build measured) apart from another meter's.
 */
function createMeter({ pid, load, label = '', phasePrefix = 'p' }) {
  let phase = 0;
  const meter = {
    pid,
    logins: 0,
    loginErrors: 0,
    async measure(scenario, bound, { quiet = false } = {}) {
      const before = cpuSeconds(pid);
      phase += 1;
      const result = await runLoad({ ...load, scenario, phase: `${phasePrefix}${phase}`, ...bound });
      const after = cpuSeconds(pid);
      const cpu = after.user - before.user + (after.system - before.system);
      result.systemCpuMsPerRequest = round(((after.system - before.system) * 1000) / Math.max(result.requests, 1), 3);
      if (scenario === 'returning' || scenario === 'new') {
        meter.logins += result.requests;
        meter.loginErrors += result.errors;
      }
      result.cpuMsPerRequest = round((cpu * 1000) / Math.max(result.requests, 1), 3);
      result.reqPerSec = round(result.reqPerSec, 1);
      if (!quiet) {
        console.log(
          `  ${(scenario + label).padEnd(9)} ${String(result.requests).padStart(6)} requests  ${String(result.reqPerSec).padStart(7)} req/s  ` +
            `p50 ${result.latencyMs.p50} ms  p99 ${result.latencyMs.p99} ms  errors ${result.errors}  ` +
            `CPU ${result.cpuMsPerRequest} ms/req (system ${result.systemCpuMsPerRequest})`
        );
      }
      return result;
    },
  };
  return meter;
}

module.exports = { cpuSeconds, createMeter, heapAfterGcMiB, rssMiB };
