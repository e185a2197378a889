// The vitest configuration Stryker runs in a package's sandbox (see stryker.config.mjs). It runs the tests
// that exercise the mutated numerical code and leaves out the long end-to-end ones (a 10,000-chunk
// differential run against Rust, CLI processes, real-data parsing), which time out under Stryker's
// instrumentation and add nothing for these files. Vitest's root is the sandbox (the working directory).
import { readFileSync } from 'node:fs';
import { defineConfig } from 'vitest/config';

const ALL = ['test/**/*.test.ts', 'src/**/*.test.ts'];

/** Per package: the tests Stryker runs (every test unless listed). */
const INCLUDE = {
  'fast-tokenizer': [
    'test/dct.test.ts',
    'test/fftpack.test.ts',
    'test/fast-plus-golden.test.ts',
    'test/quantize.test.ts',
    'test/round-half-even.test.ts',
    'test/fast-tokenizer.test.ts',
  ],
};

// The sandbox folder has a random name; its package.json says which package it is.
const pkg = JSON.parse(readFileSync('package.json', 'utf8')).name.replace('@roboalign/', '');

export default defineConfig({
  test: {
    include: INCLUDE[pkg] ?? ALL,
    // Instrumented code runs several times slower; a test's own budget still applies where it sets one.
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
