/** Every @roboalign/bench benchmark, one after the other (`pnpm bench`). */
await import('./sim.bench.js');
console.log('');
await import('./policy-server.bench.js');

export {};
