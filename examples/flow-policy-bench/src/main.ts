/**
 * npm start in this folder (pnpm --filter @roboalign/example-flow-policy-bench start -- --steps 1500):
 * record expert demonstrations, train the flow-matching head, evaluate it, print the table.
 */
import { parseArgs } from 'node:util';
import { episodesMarkdown } from '@roboalign/bench';
import { DEFAULTS, runPipeline } from './run.js';

const { values } = parseArgs({
  options: {
    suite: { type: 'string', default: DEFAULTS.suite },
    demos: { type: 'string', default: String(DEFAULTS.demosPerTask) },
    steps: { type: 'string', default: String(DEFAULTS.steps) },
    trials: { type: 'string', default: String(DEFAULTS.trials) },
    seed: { type: 'string', default: String(DEFAULTS.seed) },
    tasks: { type: 'string' },
  },
});
const number = (name: string, v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} must be a whole number, got "${v}"`);
  return n;
};
const result = await runPipeline(
  {
    ...DEFAULTS,
    suite: values.suite,
    demosPerTask: number('demos', values.demos),
    steps: number('steps', values.steps),
    trials: number('trials', values.trials),
    seed: number('seed', values.seed),
    tasks: values.tasks?.split(',').map((t) => number('tasks', t)),
  },
  console.log,
);
console.log(`\n${episodesMarkdown(result.report.suites)}`);
console.log(
  `flow-matching policy success rate: ${(100 * result.report.successRate).toFixed(1)}% (the scripted expert: 100%, random actions: 0%)`,
);
