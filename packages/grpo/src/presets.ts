import type { ScaleRewards } from './group-advantages.js';
import type { LossType } from './loss-aggregation.js';

/** A published GRPO configuration. */
export interface GrpoPreset {
  /** Completions sampled per prompt. */
  groupSize: number;
  lossType: LossType;
  epsLow: number;
  epsHigh: number;
  /** Dual-clip constant, when the recipe uses one. */
  clipRatioC?: number;
  /** k3 KL coefficient. */
  beta: number;
  learningRate: number;
  temperature: number;
  scaleRewards: ScaleRewards;
  /** Added to the reward standard deviation. */
  advantageEps: number;
  /** Where the numbers come from. */
  source: string;
}

/**
 * The presets, each with its source:
 * - `roboalign`: EasyR1 as RoboAlign ran it (paper: EasyR1, 5 samples per prompt, k3 KL 1e-2, lr 1e-6,
 *   temperature 1.0). EasyR1 defaults: `clip_ratio_low` 0.2, `clip_ratio_high` 0.3, `clip_ratio_dual` 3.0,
 *   `loss_avg_mode: token` (token mean), `kl_penalty: low_var_kl` (k3), GRPO advantages with eps 1e-6
 *   (EasyR1 `verl/workers/actor/config.py`, `examples/config.yaml`).
 * - `trl`: TRL `GRPOConfig` defaults: `loss_type="dapo"`, `beta=0.0`, `epsilon=0.2` (`epsilon_high` = epsilon),
 *   `num_generations=8`, `scale_rewards="group"`, `temperature=1.0`, `learning_rate=1e-6`; advantages divide
 *   by `std + 1e-4` (`trl/trainer/grpo_config.py`, `grpo_trainer.py`).
 * - `deepseekmath`: the GRPO paper (DeepSeekMath, Shao et al. 2024, §4.2): 64 samples per question,
 *   KL coefficient 0.04, policy lr 1e-6, per-sequence token mean, clip 0.2 (PPO's ε); temperature is not
 *   stated (1.0 here).
 */
export const GRPO_PRESETS = {
  roboalign: {
    groupSize: 5,
    lossType: 'token-mean',
    epsLow: 0.2,
    epsHigh: 0.3,
    clipRatioC: 3,
    beta: 1e-2,
    learningRate: 1e-6,
    temperature: 1,
    scaleRewards: 'group',
    advantageEps: 1e-6,
    source: 'RoboAlign (EasyR1 defaults): hiyouga/EasyR1 verl/workers/actor/config.py, examples/config.yaml',
  },
  trl: {
    groupSize: 8,
    lossType: 'dapo',
    epsLow: 0.2,
    epsHigh: 0.2,
    beta: 0,
    learningRate: 1e-6,
    temperature: 1,
    scaleRewards: 'group',
    advantageEps: 1e-4,
    source: 'TRL GRPOConfig defaults: huggingface/trl trl/trainer/grpo_config.py',
  },
  deepseekmath: {
    groupSize: 64,
    lossType: 'seq-mean-token-mean',
    epsLow: 0.2,
    epsHigh: 0.2,
    beta: 0.04,
    learningRate: 1e-6,
    temperature: 1,
    scaleRewards: 'group',
    advantageEps: 1e-6,
    source: 'DeepSeekMath (arXiv 2402.03300), section 4.2',
  },
} as const satisfies Record<string, GrpoPreset>;

/** Name of a preset in {@link GRPO_PRESETS}. */
export type GrpoPresetName = keyof typeof GRPO_PRESETS;

/**
 * @deprecated Use `GRPO_PRESETS` (presets are named by package). Kept through 0.2.x, removed in 0.3.0.
 */
export const PRESETS = GRPO_PRESETS;

/** @deprecated Use `GrpoPresetName`. Kept through 0.2.x, removed in 0.3.0. */
export type PresetName = GrpoPresetName;
