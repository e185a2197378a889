import { describe, expect, it } from 'vitest';
import * as grpo from '../src/index.js';
import { GRPO_PRESETS } from '../src/presets.js';
import { type GrpoRewardFunction, GrpoTrainer, type GrpoTrainerOptions } from '../src/trainer.js';
import { TabularPolicy } from './helpers/tabular-policy.js';

/** Common-prefix length / target length, against the `target` column (a local copy: grpo imports no rewards). */
const prefixReward: GrpoRewardFunction = ({ completionIds, columns }) =>
  completionIds.map((ids, i) => {
    const target = columns.target[i] as number[];
    let k = 0;
    while (k < target.length && ids[k] === target[k]) k++;
    return k / target.length;
  });

const target = [3, 1, 4, 1, 5];
const prompts = ['reach the bowl', 'reach the bowl', 'reach the bowl', 'reach the bowl'];
const columns = { target: prompts.map(() => target) };

async function train(seed: number, steps: number, extra: Partial<GrpoTrainerOptions> = {}) {
  const policy = new TabularPolicy(6, target.length);
  const history: Record<string, number>[] = [];
  const trainer = new GrpoTrainer({
    policy,
    rewards: [{ name: 'prefix', fn: prefixReward }],
    groupSize: 8,
    loss: { lossType: 'token-mean', epsLow: 0.2, epsHigh: 0.28 },
    learningRate: 20,
    seed: seed * 1000,
    onMetrics: (m) => {
      history.push(m);
    },
    ...extra,
  });
  for (let s = 0; s < steps; s++) await trainer.step({ prompts, columns });
  return { policy, history, trainer };
}

describe('GrpoTrainer with an exact tabular policy', () => {
  it('learns the target sequence from the prefix reward, for every seed', async () => {
    for (let seed = 1; seed <= 5; seed++) {
      const { policy, history } = await train(seed, 60);
      const first = history.slice(0, 5).reduce((a, m) => a + m.reward, 0) / 5;
      const last = history.slice(-5).reduce((a, m) => a + m.reward, 0) / 5;
      expect(first).toBeLessThan(0.4);
      expect(last).toBeGreaterThan(0.9);
      // The greedy sequence is the target.
      const greedy = target.map((_, t) => {
        const p = policy.probs(t);
        return p.indexOf(Math.max(...p));
      });
      expect(greedy).toEqual(target);
    }
  });

  it('runs μ iterations over mini-batches with a KL to a frozen reference, logging and checkpointing', async () => {
    const reference = new TabularPolicy(6, target.length);
    const checkpoints: number[] = [];
    const { history } = await train(9, 6, {
      referencePolicy: reference,
      loss: { lossType: 'seq-mean-token-mean', beta: 0.04, epsLow: 0.2 },
      iterations: 2,
      miniBatchSize: 8,
      checkpointEvery: 3,
      onCheckpoint: (step) => {
        checkpoints.push(step);
      },
    });
    expect(checkpoints).toEqual([3, 6]);
    expect(history).toHaveLength(6);
    for (const m of history) {
      for (const key of [
        'reward',
        'rewards/prefix',
        'loss',
        'kl_mean',
        'clip_fraction_low',
        'zero_std_fraction',
      ]) {
        expect(Number.isFinite(m[key]), key).toBe(true);
      }
    }
    expect(history[5].kl_mean).toBeGreaterThan(0); // the policy moved away from the reference
  });

  it('rejects a missing reference when beta is set, and bad reward output', async () => {
    const policy = new TabularPolicy(3, 2);
    expect(
      () =>
        new GrpoTrainer({
          policy,
          rewards: [{ name: 'r', fn: () => [] }],
          groupSize: 2,
          loss: { lossType: 'grpo', beta: 0.1 },
          learningRate: 1,
        }),
    ).toThrow(/pass a referencePolicy/);
    const broken = new GrpoTrainer({
      policy,
      rewards: [{ name: 'nan', fn: ({ completions }) => completions.map(() => Number.NaN) }],
      groupSize: 2,
      loss: { lossType: 'grpo' },
      learningRate: 1,
    });
    await expect(broken.step({ prompts: ['p'] })).rejects.toThrow(/reward "nan" gave NaN for completion 0/);
  });

  it('trains with the roboalign preset numbers', async () => {
    const p = GRPO_PRESETS.roboalign;
    expect(p).toMatchObject({ groupSize: 5, epsLow: 0.2, epsHigh: 0.3, beta: 0.01, learningRate: 1e-6 });
    const { history } = await train(3, 40, {
      groupSize: p.groupSize,
      referencePolicy: new TabularPolicy(6, target.length),
      loss: {
        lossType: p.lossType,
        epsLow: p.epsLow,
        epsHigh: p.epsHigh,
        clipRatioC: p.clipRatioC,
        beta: p.beta,
      },
      scaleRewards: p.scaleRewards,
      advantageEps: p.advantageEps,
    });
    expect(history.slice(-5).reduce((a, m) => a + m.reward, 0) / 5).toBeGreaterThan(0.8);
  });

  it('takes any prompt type: multimodal prompts reach the policy and the rewards as given, one per completion', async () => {
    interface ImagePrompt {
      image: Float32Array;
      instruction: string;
    }
    const a: ImagePrompt = { image: new Float32Array(4), instruction: 'pick the cup' };
    const b: ImagePrompt = { image: new Float32Array(4).fill(1), instruction: 'open the drawer' };
    const policy = new TabularPolicy<ImagePrompt>(6, target.length);
    const seen: (readonly ImagePrompt[])[] = [];
    const trainer = new GrpoTrainer<ImagePrompt>({
      policy,
      referencePolicy: new TabularPolicy<ImagePrompt>(6, target.length),
      rewards: [
        {
          name: 'prefix',
          fn: (args) => {
            seen.push(args.prompts);
            return prefixReward({ ...args, prompts: args.prompts.map((p) => p.instruction) });
          },
        },
      ],
      groupSize: 3,
      loss: { lossType: 'grpo', beta: 0.01 },
      learningRate: 1,
      miniBatchSize: 2,
    });
    await trainer.step({ prompts: [a, b], columns: { target: [target, target] } });
    const grouped = [a, a, a, b, b, b];
    expect(seen).toHaveLength(1);
    expect(seen[0]).toHaveLength(6);
    seen[0].forEach((p, i) => {
      expect(p).toBe(grouped[i]);
    });
    expect(policy.calls.map((c) => c.method)).toEqual([
      'sample',
      ...['logprobs', 'step', 'logprobs', 'step', 'logprobs', 'step'],
    ]);
    expect(policy.calls[0].prompts).toEqual([a, b]);
    // Mini-batches of 2 completions carry the prompts of exactly those completions.
    const stepPrompts = policy.calls.filter((c) => c.method === 'step').map((c) => c.prompts);
    expect(stepPrompts).toEqual([grouped.slice(0, 2), grouped.slice(2, 4), grouped.slice(4, 6)]);
    stepPrompts.flat().forEach((p, i) => {
      expect(p).toBe(grouped[i]);
    });
  });

  it('keeps the deprecated names as aliases of the new ones', () => {
    expect(grpo.PRESETS).toBe(grpo.GRPO_PRESETS);
    // Type-level: the deprecated Policy is LanguagePolicy<string>.
    const policy: grpo.Policy = new TabularPolicy(2, 1);
    const language: grpo.LanguagePolicy = policy;
    expect(language).toBe(policy);
  });
});
