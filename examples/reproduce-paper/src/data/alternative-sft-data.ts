import { type AlternativeTarget, assertHoldsTargets, type TargetFacts } from './alternative-rl-data.js';
import { trajectoryText } from './alternative-targets.js';
import { chatRow } from './chat-rows.js';
import { clearDataset, completedDataset, readDataset, writeDataset } from './dataset-files.js';
import { highLevelPrompt, trajectoryPrompt } from './fast-prompts.js';
import { promptImages } from './rl-data.js';
import type { AlternativeSftSource, DatasetManifest, GeneratedDataset, ProducedRow } from './types.js';

/** The SFT dataset of each alternative target. */
export const ALTERNATIVE_SFT_SOURCES: Readonly<Record<AlternativeTarget, AlternativeSftSource>> = {
  'high-level': 'sft-highlevel',
  trajectory: 'sft-trajectory',
};

/** Options of {@link generateAlternativeSftData}. */
export interface AlternativeSftDataOptions {
  /** The FAST training dataset, written with `alternativeTargets` and a `thinkShare`; its images are shared. */
  readonly from: DatasetManifest;
  readonly out: string;
  readonly target: AlternativeTarget;
}

/**
 * SFT rows that teach an alternative target's answer format, so that GRPO on that target starts from a model
 * that has seen it, as RoboAlign's GRPO starts from a model that has seen think-then-act FAST answers: every
 * think-then-act row of the FAST training set (`kind: 'fast-think-act'`), asked with the target's RL prompt
 * (`highLevelPrompt`, `trajectoryPrompt`) and answered with the same `<think>` and the target in `<answer>`:
 * the expert's next step in words, or the gripper's pixels (`trajectoryText`). So the three targets get the
 * same frames, the same reasoning and the same number of rows; only the answer differs.
 */
export async function generateAlternativeSftData(
  options: AlternativeSftDataOptions,
): Promise<GeneratedDataset> {
  const started = performance.now();
  const { from, out, target } = options;
  const what = `generateAlternativeSftData(${target})`;
  if (!Object.hasOwn(ALTERNATIVE_SFT_SOURCES, target))
    throw new Error(`generateAlternativeSftData: target must be high-level or trajectory, got ${target}`);
  if (from.source !== 'fast-actions' || from.split !== 'train')
    throw new Error(`${what}: draws from the FAST training rows (fast-actions), got ${from.name}`);
  assertHoldsTargets(what, from);
  const source = ALTERNATIVE_SFT_SOURCES[target];
  const config = { source, from: from.name, fromConfig: from.config };
  const seconds = () => (performance.now() - started) / 1000;
  const previous = await completedDataset(out, source, config);
  if (previous) return { ...previous, seconds: seconds(), resumed: true };
  await clearDataset(out, source, false);
  const { rows, labels } = await readDataset(out, from);
  const produced = labels.flatMap((label, index): ProducedRow[] => {
    if (label.kind !== 'fast-think-act') return [];
    const where = `${from.labels}: line ${index + 1}`;
    const think = label.answer.match(/^<think>[\s\S]*?<\/think>/)?.[0];
    if (think === undefined) throw new Error(`${where}: a think-then-act answer without <think>…</think>`);
    const facts = label.facts as unknown as TargetFacts;
    const [question, answer] =
      target === 'high-level'
        ? [highLevelPrompt(facts.instruction, facts.state_text), facts.high_level]
        : [
            trajectoryPrompt(facts.instruction, facts.state_text),
            facts.trajectory && trajectoryText(facts.trajectory),
          ];
    if (answer === undefined) throw new Error(`${where}: no ${target} label`);
    const full = `${think}<answer>${answer}</answer>`;
    return [
      {
        row: chatRow(promptImages(rows[index]), question, full),
        label: { kind: `${source}-answer`, answer: full, facts: { fastRow: index } },
        images: [],
      },
    ];
  });
  const manifest = await writeDataset(
    out,
    {
      name: source,
      source,
      split: 'train',
      seed: from.seed,
      units: produced.length,
      config,
      imagesDir: from.imagesDir,
    },
    produced,
  );
  return { ...manifest, seconds: seconds(), resumed: false };
}
