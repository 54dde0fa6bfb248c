'use strict';

/**
 * Loaded into the Strapi process by bench/run.js (`node --expose-gc -r bench/heap-probe.js`):
 * on SIGUSR2 it runs full garbage collections and writes process.memoryUsage() to the file in
 * BENCH_HEAP_FILE. RSS alone cannot tell a leak from V8 letting its heap grow under load; the
 * heap that survives a full collection can.
 */
const fs = require('fs');

const file = process.env.BENCH_HEAP_FILE;
if (file && typeof global.gc === 'function') {
  process.on('SIGUSR2', () => {
    // Twice, a turn apart: what a FinalizationRegistry or WeakRef held through the first
    // collection (AbortSignal.timeout() uses both) goes in the second.
    global.gc();
    setImmediate(() => {
      global.gc();
      const usage = process.memoryUsage();
      fs.writeFileSync(file, JSON.stringify({ at: Date.now(), ...usage }));
    });
  });
}
