import { existsSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { GRPO_PRESETS, type GrpoRewardArgs, GrpoTrainer } from '@roboalign/grpo';
import type { ActionDecoder } from '@roboalign/rewards';
import { appendJsonl, progressBar, writeJsonAtomic } from '@roboalign/utils';
import {
  type Conversation,
  loadSftDataset,
  type SessionOptions,
  type SftDataset,
  sft,
  Vlm,
  VlmPolicy,
  type VlmTokenizer,
} from '@roboalign/vlm';
import {
  type ActionAccuracy,
  type AlignmentTarget,
  type TargetPrompt,
  targetReward,
} from './alignment-targets.js';
import { nonZeroVarianceShare } from './grpo-summary.js';
import { mixtureWeights } from './mixture.js';
import { freshModel, type PipelinePreset } from './presets.js';

/** Where a trained model lives and its metrics log. */
export interface TrainedModel {
  dir: string;
  metrics: string;
}

/** Loads the JSONL sources a variant trains on; a bad row fails with its file and line. */
async function datasets(model: Vlm, paths: readonly string[]): Promise<SftDataset[]> {
  return Promise.all(paths.map((path) => loadSftDataset(model, path, { name: path })));
}

/**
 * Ties the resumable state in `out` (checkpoint, metrics) to one stage hash: when `out/run.json` names
 * another hash, or none, that state belongs to another configuration or code and is deleted.
 */
export async function claimRunFolder(
  out: string,
  runId: string,
  stateFiles: readonly string[],
): Promise<void> {
  const marker = join(out, 'run.json');
  const owner = existsSync(marker)
    ? (JSON.parse(await readFile(marker, 'utf8')) as { runId?: string }).runId
    : undefined;
  if (owner === runId) return;
  for (const file of stateFiles) await rm(join(out, file), { force: true });
  await writeJsonAtomic(marker, { runId });
}

/**
 * SFT of one variant: from `from` (a model folder) or a fresh seeded model, on the listed sources mixed by
 * their sizes (or with `shares`, see {@link mixtureWeights}), for `steps` steps. Checkpoints every 50 steps,
 * so an interrupted run with the same `runId` (the stage hash) resumes; any other run starts fresh.
 */
export async function trainLanguageModel(options: {
  tokenizer: VlmTokenizer;
  preset: PipelinePreset;
  out: string;
  runId: string;
  from?: string;
  sources: readonly string[];
  /** Per source, a fixed share of the samples; sources without one are drawn by size. */
  shares?: readonly (number | undefined)[];
  steps: number;
  progressLabel: string;
  session?: SessionOptions;
  /** Parameter-name prefixes kept frozen (e.g. `['vision_tower.']`); default none. */
  frozen?: readonly string[];
}): Promise<TrainedModel & { finalLoss: number }> {
  const { tokenizer, preset, out } = options;
  const model = options.from
    ? await Vlm.load(options.from, tokenizer, options.session)
    : freshModel(tokenizer, preset, options.session);
  const sets = await datasets(model, options.sources);
  const weights = options.shares
    ? mixtureWeights(
        sets.map((set) => set.examples.length),
        options.shares,
      )
    : sets.map((set) => set.examples.length);
  sets.forEach((set, i) => {
    set.weight = weights[i];
  });
  await claimRunFolder(out, options.runId, ['checkpoint.safetensors', 'metrics.jsonl']);
  const metrics = join(out, 'metrics.jsonl');
  const checkpointPath = join(out, 'checkpoint.safetensors');
  const history = await sft(model, sets, {
    steps: options.steps,
    batchSize: preset.batchSize,
    lr: preset.lr,
    seed: preset.seed,
    metricsPath: metrics,
    checkpointPath,
    checkpointEvery: 50,
    resume: true,
    label: options.progressLabel,
    frozen: options.frozen,
  });
  await model.save(out);
  await rm(checkpointPath, { force: true });
  await model.release();
  return { dir: out, metrics, finalLoss: history.at(-1)?.loss ?? Number.NaN };
}

/** The preset's action-distance accuracy, if it sets one, checked before any model loads. */
function actionAccuracyOf(
  preset: PipelinePreset,
  decode: ActionDecoder | undefined,
  label: string,
): ActionAccuracy | undefined {
  const temperature = preset.grpo.actionRewardTemperature;
  if (temperature === undefined) return undefined;
  if (!(temperature > 0))
    throw new Error(`${label}: grpo.actionRewardTemperature must be positive, got ${temperature}`);
  if (decode === undefined)
    throw new Error(
      `${label}: grpo.actionRewardTemperature needs trainGrpo's decodeFast (FAST ids → actions)`,
    );
  return { decode, temperature };
}

/** RL prompts sampled before GRPO to measure how many groups would have a reward signal. */
export const PRECONDITION_PROMPTS = 32;

/**
 * GRPO on the RL prompts with grpo's `roboalign` preset (5 samples, clip 0.2/0.3, dual clip 3, token-mean,
 * k3 KL; the pipeline preset may set the temperature, group size and KL coefficient) and the target's reward,
 * mean(format, accuracy) (`targetReward`; RoboAlign's accuracy is the prefix similarity of the FAST ids). The
 * learning rate is the preset's for this model size (the paper's 1e-6 is for a 7B model).
 */
export async function trainGrpo(options: {
  tokenizer: VlmTokenizer;
  preset: PipelinePreset;
  from: string;
  out: string;
  /** What the reward scores (default `fast`, RoboAlign's); the prompts must carry its target. */
  target?: AlignmentTarget;
  rl: readonly TargetPrompt[];
  /** Parameter-name prefixes kept frozen (e.g. a pretrained vision tower); default none. */
  frozen?: readonly string[];
  /** FAST ids to actions (`paddedFastDecoder`); needed when the preset sets `grpo.actionRewardTemperature`. */
  decodeFast?: ActionDecoder;
  session?: SessionOptions;
  log?: (line: string) => void;
  /** The name in logs and on the progress bar (default `roboalign`). */
  label?: string;
}): Promise<TrainedModel & { meanReward: number[]; nonZeroVarianceBefore: number }> {
  const { tokenizer, preset, out } = options;
  const target = options.target ?? 'fast';
  const label = options.label ?? 'roboalign';
  if (options.rl.length === 0) throw new Error(`${label}: GRPO needs at least one RL prompt, got none`);
  const rounds = preset.grpo.samplingRounds ?? 1;
  if (!(Number.isInteger(rounds) && rounds >= 1))
    throw new Error(`${label}: grpo.samplingRounds must be a positive integer, got ${rounds}`);
  const actionAccuracy = actionAccuracyOf(preset, options.decodeFast, label);
  const model = await Vlm.load(options.from, tokenizer, options.session);
  // The reward of one completion, for the trainer and for the precondition check alike.
  const rewardParts = (text: string, ids: ArrayLike<number>, row: TargetPrompt) =>
    targetReward(target, tokenizer, { text, ids }, row, actionAccuracy);
  const { temperature, groupSize, beta } = preset.grpo;
  const p = {
    ...GRPO_PRESETS.roboalign,
    ...(temperature !== undefined ? { temperature } : {}),
    ...(groupSize !== undefined ? { groupSize } : {}),
    ...(beta !== undefined ? { beta } : {}),
  };
  const policy = new VlmPolicy(model, {
    maxNewTokens: preset.grpo.maxNewTokens,
    temperature: p.temperature,
    frozen: options.frozen,
  });
  const reference = policy.reference();
  const metrics = join(out, 'grpo.jsonl');
  // GRPO does not resume: each run writes its own log.
  await rm(metrics, { force: true });
  const trainer = new GrpoTrainer({
    policy,
    referencePolicy: reference,
    groupSize: p.groupSize,
    loss: {
      lossType: p.lossType,
      epsLow: p.epsLow,
      epsHigh: p.epsHigh,
      clipRatioC: p.clipRatioC,
      beta: p.beta,
    },
    scaleRewards: p.scaleRewards,
    advantageEps: p.advantageEps,
    learningRate: preset.grpo.lr,
    temperature: p.temperature,
    seed: preset.seed,
    eosId: tokenizer.ids.imEnd,
    // The reward, mean(format, accuracy), as two weighted parts so both are logged per step.
    rewards: (['format', 'accuracy'] as const).map((part) => ({
      name: part,
      weight: 0.5,
      fn: ({ completions, completionIds, columns }: GrpoRewardArgs<Conversation>) =>
        completions.map(
          (text, i) => rewardParts(text, completionIds[i], columns.row[i] as TargetPrompt)[part],
        ),
    })),
  });
  // The precondition: a group gives a gradient only when its rewards differ.
  const checked = options.rl.slice(0, PRECONDITION_PROMPTS);
  const samples = await model.generate(
    checked.map((r) => r.prompt),
    { temperature: p.temperature, maxNewTokens: preset.grpo.maxNewTokens, n: p.groupSize, seed: preset.seed },
  );
  const nonZeroVarianceBefore = nonZeroVarianceShare(
    samples.map((group, i) => group.map((g) => rewardParts(g.text, g.ids, checked[i]).reward)),
  );
  options.log?.(
    `[${label}] before GRPO: ${(100 * nonZeroVarianceBefore).toFixed(0)}% of ${checked.length} RL prompts give a group with non-zero reward variance`,
  );
  const rewards: number[] = [];
  const n = preset.grpo.prompts;
  const bar = progressBar({ label: `${label} (GRPO)`, total: preset.grpo.steps });
  // The RL prompts in order, n at a time, from the start again once all were drawn.
  let drawn = 0;
  const nextBatch = () => {
    const batch = Array.from({ length: n }, (_, k) => options.rl[(drawn + k) % options.rl.length]);
    drawn += n;
    return { prompts: batch.map((b) => b.prompt), columns: { row: batch } };
  };
  for (let step = 0; step < preset.grpo.steps; step++) {
    const m =
      rounds > 1
        ? await trainer.stepWithDynamicSampling(nextBatch, { groups: n, maxRounds: rounds })
        : await trainer.step(nextBatch());
    rewards.push(m.reward);
    await appendJsonl(metrics, { step: step + 1, ...m });
    bar.update(step + 1, { reward: m.reward, format: m['rewards/format'], kl: m.kl_mean });
  }
  bar.stop();
  await model.save(out);
  await model.release();
  await reference.release();
  return { dir: out, metrics, meanReward: rewards, nonZeroVarianceBefore };
}
