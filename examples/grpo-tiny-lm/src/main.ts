import { runGrpoDemo } from './run.js';

// The answer the tiny LM should learn: five FAST ids.
const target = [3, 1, 4, 1, 5];
console.log(
  `GRPO (RoboAlign preset: token-mean, clip 0.2/0.3, dual clip 3) on a tiny decoder LM; target ids ${target.join(' ')}`,
);
const history = await runGrpoDemo({
  steps: 120,
  target,
  vocab: 8,
  seed: 0,
  onStep: (m) => {
    if (m.step % 10 === 0 || m.step === 1) {
      console.log(
        `step ${String(m.step).padStart(3)}  reward ${m.reward.toFixed(3)}  zero-std groups ${m.zero_std_fraction.toFixed(2)}  clip-high ${m.clip_fraction_high.toFixed(3)}`,
      );
    }
  },
});
const first = history[0].reward;
const last = history[history.length - 1].reward;
console.log(`mean prefix-similarity reward: ${first.toFixed(3)} → ${last.toFixed(3)}`);
