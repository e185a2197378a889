import { GRPO_PRESETS, GrpoTrainer } from '@roboalign/grpo';
import { prefixSimilarity } from '@roboalign/rewards';
import { TinyLmPolicy } from './tiny-lm-policy.js';

/** Options of {@link runGrpoDemo}. */
export interface GrpoDemoOptions {
  steps: number;
  /** The FAST ids the policy should learn to answer with. */
  target: number[];
  vocab: number;
  seed: number;
  onStep?: (metrics: Record<string, number>) => void;
}

/**
 * GRPO with RoboAlign's action-accuracy reward (prefix similarity of the generated ids to the target ids)
 * on a tiny decoder LM: `@roboalign/grpo` owns the algorithm, `@roboalign/rewards` scores, and
 * `@roboalign/onnx-train` runs the model and back-propagates GRPO's log-prob gradients.
 */
export async function runGrpoDemo(options: GrpoDemoOptions): Promise<Record<string, number>[]> {
  const preset = GRPO_PRESETS.roboalign;
  const prompts = ['pick up the red block', 'pick up the red block'];
  const groupSize = 8;
  const policy = await TinyLmPolicy.create({
    vocab: options.vocab,
    length: options.target.length,
    batch: prompts.length * groupSize,
    width: 32,
    heads: 2,
  });
  const trainer = new GrpoTrainer({
    policy,
    rewards: [
      {
        name: 'accuracy',
        fn: ({ completionIds, columns }) =>
          completionIds.map((ids, i) => prefixSimilarity(ids, columns.target_ids[i] as number[])),
      },
    ],
    groupSize,
    loss: {
      lossType: preset.lossType,
      epsLow: preset.epsLow,
      epsHigh: preset.epsHigh,
      clipRatioC: preset.clipRatioC,
    },
    scaleRewards: preset.scaleRewards,
    advantageEps: preset.advantageEps,
    learningRate: 1e-3, // a tiny model from scratch, not the paper's 1e-6 fine-tuning rate
    temperature: 1,
    seed: options.seed,
    onMetrics: options.onStep,
  });
  const history: Record<string, number>[] = [];
  for (let s = 0; s < options.steps; s++) {
    history.push(await trainer.step({ prompts, columns: { target_ids: prompts.map(() => options.target) } }));
  }
  return history;
}
