'use strict';

/**
 * What is read from a Strapi process: its CPU time (/proc/<pid>/stat, user + system), its RSS
 * (/proc/<pid>/status) and the heap left after a full GC (bench/heap-probe.js, on SIGUSR2); and a
 * meter that runs one load scenario against it with the CPU it used per request.
 */
const fs = require('fs');
const { execFileSync } = require('child_process');
const { KEPT_SESSION_KEY_MS } = require('./options');
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

/**
 * The process's memory right after a full garbage collection (it writes `heapFile`), in MiB: the heap that survives
 * (heapUsed), what V8 keeps reserved for it (heapTotal), memory held outside the JS heap by Buffers and native
 * objects (external, of which arrayBuffers), and RSS.
 */
async function memoryAfterGc(pid, heapFile) {
  fs.rmSync(heapFile, { force: true });
  process.kill(pid, 'SIGUSR2');
  for (let i = 0; i < 100 && !fs.existsSync(heapFile); i += 1) await new Promise((r) => setTimeout(r, 50));
  const usage = JSON.parse(fs.readFileSync(heapFile, 'utf8'));
  const mib = (bytes) => round(bytes / 1024 / 1024, 1);
  return {
    heapUsedMiB: mib(usage.heapUsed),
    heapTotalMiB: mib(usage.heapTotal),
    externalMiB: mib(usage.external),
    arrayBuffersMiB: mib(usage.arrayBuffers),
    rssMiB: round(rssMiB(pid), 1),
  };
}

/** The heap that survives a full garbage collection in the process, in MiB. */
async function heapAfterGcMiB(pid, heapFile) {
  return (await memoryAfterGc(pid, heapFile)).heapUsedMiB;
}

/** Scenarios in which WeChat gives a new session key at every login; in the others it keeps the user's key a while. */
const RENEWED_KEY_SCENARIOS = new Set(['returning-renewed']);

/** Tells the simulator whether this scenario's logins get a new session key each or keep the user's current one. */
async function setSessionKeys(simulatorUrl, scenario) {
  const ms = RENEWED_KEY_SCENARIOS.has(scenario) ? 0 : KEPT_SESSION_KEY_MS;
  const res = await fetch(`${simulatorUrl}/__sim/session-key-retention`, { method: 'POST', body: JSON.stringify({ ms }) });
  const body = await res.json();
  if (!body.ok) throw new Error(`the simulator refused the session key retention: ${JSON.stringify(body)}`);
}

/**
 * `meter.measure(scenario, { duration | amount })` runs the scenario against one Strapi process and
 * returns autocannon's figures with the process's CPU per request; the meter counts the logins it
 * made and their errors. `label` tells its console lines apart, `phasePrefix` keeps its WeChat codes
 * (single-use, one simulator for every build measured) apart from another meter's.
 */
function createMeter({ pid, load, simulatorUrl, label = '', phasePrefix = 'p' }) {
  let phase = 0;
  const meter = {
    pid,
    logins: 0,
    loginErrors: 0,
    async measure(scenario, bound, { quiet = false } = {}) {
      await setSessionKeys(simulatorUrl, scenario);
      const before = cpuSeconds(pid);
      phase += 1;
      const result = await runLoad({ ...load, scenario, phase: `${phasePrefix}${phase}`, ...bound });
      const after = cpuSeconds(pid);
      const cpu = after.user - before.user + (after.system - before.system);
      result.systemCpuMsPerRequest = round(((after.system - before.system) * 1000) / Math.max(result.requests, 1), 3);
      if (scenario.startsWith('returning') || scenario === 'new') {
        meter.logins += result.requests;
        meter.loginErrors += result.errors;
      }
      result.cpuMsPerRequest = round((cpu * 1000) / Math.max(result.requests, 1), 3);
      result.reqPerSec = round(result.reqPerSec, 1);
      if (!quiet) {
        console.log(
          `  ${(scenario + label).padEnd(26)} ${String(result.requests).padStart(6)} requests  ${String(result.reqPerSec).padStart(7)} req/s  ` +
            `p50 ${result.latencyMs.p50} ms  p99 ${result.latencyMs.p99} ms  errors ${result.errors}  ` +
            `CPU ${result.cpuMsPerRequest} ms/req (system ${result.systemCpuMsPerRequest})`
        );
      }
      return result;
    },
  };
  return meter;
}

module.exports = { cpuSeconds, createMeter, heapAfterGcMiB, memoryAfterGc, rssMiB };
