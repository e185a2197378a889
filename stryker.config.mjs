// StrykerJS mutation testing of the numerical cores (issue #15.5). Not part of `npm test`: run
// `pnpm mutation [package …]` (scripts/mutation.mjs), which runs Stryker once per package, in that
// package's folder, with this file as the config. Scores are recorded in docs/benchmarks.md.
import { basename } from 'node:path';

/** What each package mutates: the numerical code, not I/O, CLIs or re-export barrels. */
const MUTATE = {
  rewards: ['src/**/*.ts', '!src/index.ts', '!src/errors.ts'],
  grpo: [
    'src/group-advantages.ts',
    'src/policy-loss.ts',
    'src/surrogate.ts',
    'src/kl.ts',
    'src/loss-aggregation.ts',
    'src/completion-mask.ts',
  ],
  // The FFTPACK radix passes (src/fftpack/radix-*.ts, ~1,800 mutants, hours here) are left out by
  // default; their bits are pinned by test/fftpack.test.ts. Add them with -- --mutate 'src/fftpack/**'.
  'fast-tokenizer': [
    'src/quantize.ts',
    'src/round-half-even.ts',
    'src/dct.ts',
    'src/fftpack/*.ts',
    '!src/fftpack/radix-*.ts',
  ],
  // The VJP rules (the backward of each op); the forward builders are exercised by the same tests.
  'onnx-train': ['src/ops.ts'],
};

const pkg = basename(process.cwd());
if (!(pkg in MUTATE)) {
  throw new Error(`stryker.config.mjs: no mutation targets for "${pkg}"; run it from packages/<name>`);
}

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  plugins: ['@stryker-mutator/vitest-runner'],
  vitest: { configFile: '../../stryker.vitest.config.mjs', related: true },
  coverageAnalysis: 'perTest',
  // Narrow from the command line: pnpm mutation grpo -- --mutate src/kl.ts
  mutate: MUTATE[pkg],
  // The machine is shared; one test process at a time (override: -- --concurrency 2).
  concurrency: 1,
  // Sandboxes sit one folder below the repository root (.stryker-tmp/sandbox-…), the same depth as
  // packages/<name>, so relative paths such as tsconfig's "../../tsconfig.base.json" and the tests'
  // "../../../../shared" still resolve.
  tempDirName: '../../.stryker-tmp',
  // Stryker rewrites tsconfig "extends" for a sandbox two levels deeper than the package; ours is at the
  // same depth, so the paths are already right. Naming a file that does not exist turns the rewrite off.
  tsconfigFile: 'no-tsconfig-rewrite.json',
  ignorePatterns: ['dist', 'bench', 'coverage', '.test-results', '.turbo'],
  timeoutMS: 60_000,
  timeoutFactor: 3,
  reporters: ['clear-text', 'progress', 'json', 'html'],
  jsonReporter: { fileName: `../../reports/mutation/${pkg}.json` },
  htmlReporter: { fileName: `../../reports/mutation/${pkg}.html` },
  thresholds: { high: 80, low: 60, break: null },
};
