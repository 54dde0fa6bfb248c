'use strict';

/**
 * Loaded into the Strapi process by bench/run.js (`node --expose-gc -r bench/heap-probe.js`):
 * on SIGUSR2 it runs a full garbage collection and writes process.memoryUsage() to the file in
 * BENCH_HEAP_FILE. RSS alone cannot tell a leak from V8 letting its heap grow under load; the
 * heap that survives a full collection can.
 */
const fs = require('fs');

const file = process.env.BENCH_HEAP_FILE;
if (file && typeof global.gc === 'function') {
  process.on('SIGUSR2', () => {
    global.gc();
    const usage = process.memoryUsage();
    fs.writeFileSync(file, JSON.stringify({ at: Date.now(), ...usage }));
  });
}
