// Runs the whole vitest suite once and ends with the plain line CI reads: "N passed, N failed, N skipped".
// Skipped tests are listed by name above that line, so a skip in CI is never silent.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const out = '.test-results/vitest.json';
mkdirSync('.test-results', { recursive: true });
const vitest = fileURLToPath(new URL('../node_modules/vitest/vitest.mjs', import.meta.url));
// Budgets with headroom for a shared 2-core machine: a test's speed must never decide whether it passes.
// Tests that need longer state their own budget.
const budgets = ['--testTimeout=300000', '--hookTimeout=300000'];
const res = spawnSync(
  process.execPath,
  [vitest, 'run', ...budgets, '--reporter=default', '--reporter=json', `--outputFile.json=${out}`],
  { stdio: 'inherit' },
);
let passed = 0;
let failed = 0;
let skipped = 0;
try {
  const report = JSON.parse(readFileSync(out, 'utf8'));
  passed = report.numPassedTests;
  failed = report.numFailedTests + (report.numRuntimeErrorTestSuites ?? 0);
  skipped = report.numPendingTests + report.numTodoTests;
  const skips = report.testResults.flatMap((file) =>
    file.assertionResults
      .filter((t) => t.status === 'pending' || t.status === 'skipped' || t.status === 'todo')
      .map((t) => `  skipped: ${relative(root, file.name)} > ${t.fullName}`),
  );
  if (skips.length > 0) console.log(`\n${skips.length} skipped test(s):\n${skips.join('\n')}`);
} catch (err) {
  console.error(`could not read ${out}: ${err.message}`);
  failed = Math.max(failed, 1);
}
if (res.status !== 0 && failed === 0) failed = 1; // a suite that crashed before reporting still fails
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 ? 1 : 0);
