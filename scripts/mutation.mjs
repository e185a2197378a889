// `pnpm mutation [package …]`: StrykerJS over the numerical cores, one package at a time (slow: minutes to
// an hour per package on two cores). Packages default to rewards, grpo, fast-tokenizer and onnx-train.
// Reports: reports/mutation/<package>.html and .json. Options pass through to Stryker, e.g.
// `pnpm mutation grpo -- --concurrency 2`.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const stryker = fileURLToPath(
  new URL('../node_modules/@stryker-mutator/core/bin/stryker.js', import.meta.url),
);
const config = fileURLToPath(new URL('../stryker.config.mjs', import.meta.url));
const dash = process.argv.indexOf('--');
const names = (dash < 0 ? process.argv.slice(2) : process.argv.slice(2, dash)).filter((a) => a !== '');
const extra = dash < 0 ? [] : process.argv.slice(dash + 1);
const packages = names.length > 0 ? names : ['rewards', 'grpo', 'fast-tokenizer', 'onnx-train'];

let failed = 0;
for (const name of packages) {
  const cwd = `${root}packages/${name}`;
  if (!existsSync(cwd)) {
    console.error(`mutation: no package ${name}`);
    failed++;
    continue;
  }
  console.log(`\n=== mutation testing @roboalign/${name} ===`);
  const res = spawnSync(process.execPath, [stryker, 'run', config, ...extra], { cwd, stdio: 'inherit' });
  if (res.status !== 0) failed++;
}
process.exit(failed === 0 ? 0 : 1);
