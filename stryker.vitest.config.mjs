// The vitest configuration Stryker runs in a package's sandbox (see stryker.config.mjs). It runs the tests
// that exercise the mutated numerical code and leaves out the long end-to-end ones (a 10,000-chunk
// differential run against Rust, CLI processes, real-data parsing), which time out under Stryker's
// instrumentation and add nothing for these files. Vitest's root is the sandbox (the working directory).
import { readFileSync } from 'node:fs';
import { defineConfig } from 'vitest/config';

const ALL = ['test/**/*.test.ts', 'src/**/*.test.ts'];

/** Per package: tests Stryker leaves out (long end-to-end runs that exercise the mutated code only in passing). */
const EXCLUDE = {
  'fast-tokenizer': [
    'test/differential.test.ts',
    'test/real-data.test.ts',
    'test/cli.test.ts',
    'test/cli-io.test.ts',
    'test/bpe-trainer.test.ts',
    'test/fit.test.ts',
  ],
};

// The sandbox folder has a random name; its package.json says which package it is.
const pkg = JSON.parse(readFileSync('package.json', 'utf8')).name.replace('@roboalign/', '');

export default defineConfig({
  test: {
    include: ALL,
    exclude: ['**/node_modules/**', ...(EXCLUDE[pkg] ?? [])],
    // Instrumented code runs several times slower; a test's own budget still applies where it sets one.
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
