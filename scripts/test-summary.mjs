// Runs the whole vitest suite once and ends with the plain line CI reads: "N passed, N failed, N skipped".
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';

const out = '.test-results/vitest.json';
mkdirSync('.test-results', { recursive: true });
const res = spawnSync(
  'pnpm',
  ['exec', 'vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${out}`],
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
} catch (err) {
  console.error(`could not read ${out}: ${err.message}`);
  failed = Math.max(failed, 1);
}
if (res.status !== 0 && failed === 0) failed = 1; // a suite that crashed before reporting still fails
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 ? 1 : 0);
