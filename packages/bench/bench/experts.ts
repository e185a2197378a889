/**
 * Scripted-expert success on every initial state of every LIBERO-style task, and on CALVIN-style chains.
 * Run: pnpm --filter @roboalign/bench run experts [-- --trials 50 --chains 100]
 */
import { parseArgs } from 'node:util';
import { EXPERT } from '../src/harness/policies.js';
import { runChain, runEpisode } from '../src/harness/run.js';
import { CALVIN_STYLE_SUITE } from '../src/suites/calvin-style.js';
import { LIBERO_STYLE_SUITES } from '../src/suites/libero-style.js';
import { TaskEnvPool } from '../src/suites/task-env.js';

const { values } = parseArgs({
  options: { trials: { type: 'string', default: '50' }, chains: { type: 'string', default: '100' } },
});
const trials = Number(values.trials);
const chains = Number(values.chains);
const drive = { replanSteps: 1 };
const envs = new TaskEnvPool({ render: false });

console.log(`| suite | task | expert success (of ${trials}) |`);
console.log('|---|---|---:|');
let worst = 1;
for (const suite of LIBERO_STYLE_SUITES) {
  for (const [i, task] of suite.tasks.entries()) {
    const env = await envs.get(task.scene);
    let successes = 0;
    for (let trial = 0; trial < trials; trial++)
      if ((await runEpisode(env, suite, i, trial, EXPERT, drive)).success) successes++;
    worst = Math.min(worst, successes / trials);
    console.log(`| ${suite.name} | ${i} ${task.instruction} | ${successes}/${trials} |`);
  }
}
console.log(`\nlowest per-task expert success: ${(100 * worst).toFixed(1)}%`);

const env = await envs.get(CALVIN_STYLE_SUITE.scene);
const completed = [0, 0, 0, 0, 0, 0];
for (let c = 0; c < chains; c++)
  completed[(await runChain(env, CALVIN_STYLE_SUITE, c, EXPERT, drive)).completed]++;
const atLeast = [1, 2, 3, 4, 5].map((k) => completed.slice(k).reduce((a, b) => a + b, 0) / chains);
console.log(
  `\ncalvin, ${chains} chains: completed 0..5 = ${completed.join(' ')}; step rates ${atLeast.map((r) => `${(100 * r).toFixed(0)}%`).join(' ')}; avg len ${atLeast.reduce((a, b) => a + b, 0).toFixed(2)}`,
);
await envs.dispose();
