import { readFile, rm } from 'node:fs/promises';
import {
  type PatchLabelledImage,
  patchAccuracy,
  pretrainVision,
  readConversations,
  readPng,
  type SessionOptions,
  type Vlm,
  type VlmTokenizer,
} from '@roboalign/vlm';
import { patchClassNames, patchLabels } from '../data/patch-labels.js';
import type { SceneFacts } from '../data/scene-facts.js';
import { freshModel, type PipelinePreset } from './presets.js';

/**
 * The parameters a pretrained vision tower keeps frozen in every later language-model stage. Trained with
 * the LM, the tower forgets what it learned (its image tokens' content share fell from 0.156 to 0.005 in 400
 * steps, measured on the `paper` run's data; README, "Does the backbone see its images?").
 */
export const PRETRAINED_VISION: readonly string[] = ['vision_tower.'];

/** An agent-view camera image and the privileged facts of its frame. */
export interface LabelledFrame {
  path: string;
  scene: SceneFacts;
}

/**
 * Each agent-view image of the data stage's JSONL `files` once, with the scene facts of its frame (read from
 * the `.labels.jsonl` beside each file). Rows without scene facts (none in the data stage's VQA, robot VQA
 * and reasoning sources) or without an agent-view image are left out; a file whose labels do not line up
 * with its rows fails, naming it.
 */
export async function labelledFrames(files: readonly string[]): Promise<LabelledFrame[]> {
  const seen = new Set<string>();
  const frames: LabelledFrame[] = [];
  for (const file of files) {
    if (!file.endsWith('.jsonl')) throw new Error(`labelledFrames: ${file} is not a .jsonl file`);
    const labelsPath = `${file.slice(0, -'.jsonl'.length)}.labels.jsonl`;
    const rows = await readConversations(file);
    const labels = (await readFile(labelsPath, 'utf8')).split('\n').filter((line) => line.length > 0);
    if (labels.length !== rows.length)
      throw new Error(
        `labelledFrames: ${labelsPath} has ${labels.length} lines for ${rows.length} rows of ${file}`,
      );
    rows.forEach((row, i) => {
      const scene = (JSON.parse(labels[i]) as { facts?: { scene?: SceneFacts } }).facts?.scene;
      const content = row.conversation.messages[0]?.content;
      const image = Array.isArray(content) ? content.find((c) => c.type === 'image') : undefined;
      const path = image && 'path' in image ? image.path : undefined;
      if (!scene || !path?.includes('agent') || seen.has(path)) return;
      seen.add(path);
      frames.push({ path, scene });
    });
  }
  return frames;
}

/** What vision pretraining did: its images and classes, and its held-out patch accuracy. */
export interface VisionPretraining {
  /** Training images and patch classes (the objects, fixtures, gripper and table of the scenes). */
  images: number;
  classes: string[];
  /** Patch accuracy of the tower and its classifier on the held-out frames. */
  heldOut: Awaited<ReturnType<typeof patchAccuracy>>;
}

/**
 * Pretrains `model`'s vision tower in place to name each patch's class (see `patchLabels`) of the `train`
 * frames, for `steps` steps at batch 32, and scores it on the `heldOut` frames.
 */
export async function pretrainTowerOnFrames(
  model: Vlm,
  train: readonly LabelledFrame[],
  heldOut: readonly LabelledFrame[],
  options: { steps: number; seed: number; metricsPath?: string },
): Promise<VisionPretraining> {
  if (train.length === 0) throw new Error('vision pretraining found no labelled agent-view frame');
  // Classes from both splits, so a held-out frame's class has an index (its scores stay untrained).
  const classes = patchClassNames([...train, ...heldOut].map((f) => f.scene));
  const labelled = (frames: readonly LabelledFrame[]): Promise<PatchLabelledImage[]> =>
    Promise.all(
      frames.map(async (f) => ({
        image: await readPng(f.path),
        labels: patchLabels(f.scene, model.config.patchSize, classes),
      })),
    );
  const { classifier } = await pretrainVision(model, await labelled(train), {
    classes: classes.length,
    ...options,
  });
  const accuracy = await patchAccuracy(model, classifier, await labelled(heldOut));
  return { images: train.length, classes, heldOut: accuracy };
}

/**
 * The vision stage: a fresh seeded model (the one `base` would start from) whose ViT is pretrained to name
 * each patch's class, on every labelled agent-view frame of the training sources, then saved to `out`. It
 * stands in for the pretrained vision encoder of the paper's MLLM: trained from scratch with the language
 * model, the tower learned to ignore its input (README, "Does the backbone see its images?").
 */
export async function pretrainVisionTower(options: {
  tokenizer: VlmTokenizer;
  preset: PipelinePreset;
  /** Training and held-out JSONL sources of the data stage (VQA, robot VQA, reasoning). */
  train: readonly string[];
  heldOut: readonly string[];
  out: string;
  /** One JSON line of metrics per step (truncated first: the stage does not resume, it takes seconds). */
  metricsPath?: string;
  session?: SessionOptions;
}): Promise<VisionPretraining & { dir: string }> {
  const { preset } = options;
  if (options.metricsPath !== undefined) await rm(options.metricsPath, { force: true });
  const model = freshModel(options.tokenizer, preset, options.session);
  const result = await pretrainTowerOnFrames(
    model,
    await labelledFrames(options.train),
    await labelledFrames(options.heldOut),
    { steps: preset.visionSteps, seed: preset.seed, metricsPath: options.metricsPath },
  );
  await model.save(options.out);
  await model.release();
  return { dir: options.out, ...result };
}
