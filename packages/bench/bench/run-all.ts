/** Every @roboalign/bench benchmark, one after the other (`pnpm bench`). */
// The policy-server load test moved to @roboalign/serve (`pnpm --filter @roboalign/serve bench`).
await import('./sim.bench.js');
await import('./video-capture.bench.js');

export {};
