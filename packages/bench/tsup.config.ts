import { defineConfig } from 'tsup';

export default defineConfig({
  // The worker and the CLI are entries of their own: evaluate() starts dist/worker.js in worker threads.
  entry: { index: 'src/index.ts', cli: 'src/cli.ts', worker: 'src/harness/worker.ts' },
  format: ['esm', 'cjs'],
  dts: { entry: 'src/index.ts' },
  shims: true,
  clean: true,
  sourcemap: true,
  target: 'node20',
});
