/**
 * Loss + gradient for 512 completions × 256 tokens, every loss type, single thread.
 * Compares with a naive transcription of verl's formulas (test/helpers/reference-losses.ts), loss only.
 *
 *   pnpm --filter @roboalign/grpo bench
 */
import { cpus } from 'node:os';
import { mulberry32 } from '@roboalign/utils';
import { LOSS_TYPES } from '../src/loss-aggregation.js';
import { policyLoss } from '../src/policy-loss.js';
import { verlLoss } from '../test/helpers/reference-losses.js';

const B = 512;
const L = 256;
const rand = mulberry32(1);
const rows = (f: () => number) => Array.from({ length: B }, () => Float64Array.from({ length: L }, f));
const oldLogprobs = rows(() => -3 * rand());
const logprobs = oldLogprobs.map((row) => row.map((v) => v + 0.3 * (rand() - 0.5)));
const refLogprobs = oldLogprobs.map((row) => row.map((v) => v + 0.3 * (rand() - 0.5)));
const advantages = Float64Array.from({ length: B }, () => 2 * rand() - 1);
const mask = Array.from({ length: B }, () => {
  const len = 1 + Math.floor(rand() * L);
  return Float64Array.from({ length: L }, (_, t) => (t < len ? 1 : 0));
});
const batch = { logprobs, oldLogprobs, refLogprobs, advantages, mask };

/** CPU time of this process in ms: on a shared machine it moves far less with the load than wall time. */
const cpuMs = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};

/** Median wall and CPU time of `runs` calls, after 3 warm-up calls. */
function median(fn: () => void, runs: number): { wall: number; cpu: number } {
  for (let i = 0; i < 3; i++) fn();
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < runs; i++) {
    const c = cpuMs();
    const t = performance.now();
    fn();
    wall.push(performance.now() - t);
    cpu.push(cpuMs() - c);
  }
  const mid = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(runs / 2)];
  return { wall: mid(wall), cpu: mid(cpu) };
}
const cell = ({ wall, cpu }: { wall: number; cpu: number }) => `${wall.toFixed(2)} (${cpu.toFixed(2)})`;

// Warm the JIT on every path before timing.
for (const lossType of LOSS_TYPES)
  for (const beta of [0, 0.04]) median(() => policyLoss(batch, { lossType, beta, clipRatioC: 3 }), 5);

console.log(`Machine: ${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} cores; Node ${process.version}`);
console.log(`policyLoss, ${B} completions × ${L} tokens, clip 0.2/0.28, dual clip 3; median of 50 runs`);
console.log('wall time, and in parentheses the CPU time of the process, in ms\n');
console.log('| loss type | loss + gradient, beta 0 | loss + gradient, beta 0.04 with k3 KL |');
console.log('|---|---:|---:|');
for (const lossType of LOSS_TYPES) {
  const run = (beta: number) =>
    median(() => policyLoss(batch, { lossType, epsLow: 0.2, epsHigh: 0.28, beta, clipRatioC: 3 }), 50);
  console.log(`| ${lossType} | ${cell(run(0))} | ${cell(run(0.04))} |`);
}
const plain = (r: Float64Array[]) => r.map((x) => Array.from(x));
const args = [
  plain(logprobs),
  plain(oldLogprobs),
  plain(refLogprobs),
  Array.from(advantages),
  plain(mask),
] as const;
const naive = median(
  () => verlLoss(...args, { mode: 'token-mean', clipLow: 0.2, clipHigh: 0.28, clipRatioC: 3, klCoef: 0.04 }),
  10,
);
const ours = median(
  () => policyLoss(batch, { lossType: 'token-mean', epsLow: 0.2, epsHigh: 0.28, beta: 0.04, clipRatioC: 3 }),
  30,
);
console.log(
  `\ntoken-mean: this package ${cell(ours)} ms (loss + gradient) vs naive verl transcription ${cell(naive)} ms (loss only): ${(naive.cpu / ours.cpu).toFixed(1)}× in CPU time`,
);
