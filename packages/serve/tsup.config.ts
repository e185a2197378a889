import { defineConfig } from 'tsup';

export default defineConfig({
  // cli.ts starts with a shebang, which esbuild keeps.
  entry: ['src/index.ts', 'src/cli.ts'],
  format: ['esm', 'cjs'],
  dts: { entry: 'src/index.ts' },
  shims: true,
  clean: true,
  sourcemap: true,
  target: 'node20',
});
