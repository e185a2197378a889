import { trajectoryText } from './alternative-targets.js';
import { promptOnly } from './chat-rows.js';
import { clearDataset, completedDataset, datasetFiles, readDataset, writeDataset } from './dataset-files.js';
import { highLevelPrompt, trajectoryPrompt } from './fast-prompts.js';
import { datasetName } from './generate-sources.js';
import { chooseRlRows, promptImages } from './rl-data.js';
import type {
  AlternativeRlSource,
  DatasetManifest,
  GeneratedDataset,
  HighLevelRlRow,
  ProducedRow,
  TrajectoryRlRow,
} from './types.js';

/** The alternative alignment targets of issue #22. */
export type AlternativeTarget = 'high-level' | 'trajectory';

/** The RL dataset of each target (`<source>` and `<source>-heldout`). */
export const ALTERNATIVE_RL_SOURCES: Readonly<Record<AlternativeTarget, AlternativeRlSource>> = {
  'high-level': 'rl-highlevel',
  trajectory: 'rl-trajectory',
};

/** Options of {@link generateAlternativeRlData}. */
export interface AlternativeRlDataOptions {
  /**
   * The FAST dataset to draw from (written in `out`, with `alternativeTargets` so its labels hold the
   * targets); its images are shared, not copied.
   */
  readonly from: DatasetManifest;
  readonly out: string;
  readonly target: AlternativeTarget;
  /** FAST rows to draw (at most the FAST rows); the same rows as `generateRlData` with this count and seed. */
  readonly count: number;
  readonly seed: number;
}

/** Throws, naming `what`, unless `from` was written with `alternativeTargets` (its labels hold the targets). */
export function assertHoldsTargets(what: string, from: DatasetManifest): void {
  if (!from.config.alternativeTargets)
    throw new Error(
      `${what}: ${from.name} was written without alternativeTargets, so its labels hold no targets; ` +
        'generate it with alternativeTargets: true',
    );
}

/** The label facts of a FAST row written with `alternativeTargets`. */
export interface TargetFacts {
  readonly instruction: string;
  readonly fast_ids: number[];
  readonly state_text?: string;
  readonly high_level?: string;
  readonly trajectory?: [number, number][];
}

/**
 * RL prompts of an alternative alignment target, on the same scenes and prompts as the FAST RL prompts: the
 * FAST rows `generateRlData` draws with the same count and seed (`chooseRlRows`), each turned into a prompt
 * that asks for reasoning first and then
 * - `high-level` (`rl-highlevel`): the next step in words (`highLevelPrompt`); rows carry `targetText`, the
 *   expert's phase in words (`phaseText`). A drawn row whose frame had no expert phase (the script done,
 *   waiting for the goal to register) has no phrase and is left out, so this dataset can be shorter than
 *   the FAST RL prompts; `stats.withoutPhase` counts them.
 * - `trajectory` (`rl-trajectory`): the gripper's pixel positions over the next half second
 *   (`trajectoryPrompt`); rows carry `targetTrajectory`, the label's agent-view pixels, and `imageSize`.
 *
 * Both keep `targetFastIds` (for reference) and `instruction`, and share the FAST images. The split follows the
 * FAST dataset's (`rl-trajectory-heldout` from `fast-actions-heldout`).
 */
export async function generateAlternativeRlData(
  options: AlternativeRlDataOptions,
): Promise<GeneratedDataset> {
  const started = performance.now();
  const { from, out, target, count, seed } = options;
  const what = `generateAlternativeRlData(${target})`;
  if (!Object.hasOwn(ALTERNATIVE_RL_SOURCES, target))
    throw new Error(`generateAlternativeRlData: target must be high-level or trajectory, got ${target}`);
  if (from.source !== 'fast-actions') throw new Error(`${what}: draws from fast-actions, got ${from.name}`);
  assertHoldsTargets(what, from);
  if (!Number.isInteger(count) || count < 0 || count > from.count)
    throw new RangeError(`${what}: count must be an integer in [0, ${from.count}], got ${count}`);
  const source = ALTERNATIVE_RL_SOURCES[target];
  const name = datasetName(source, from.split);
  const config = { source, from: from.name, fromConfig: from.config, count, seed };
  const seconds = () => (performance.now() - started) / 1000;
  const previous = await completedDataset(out, name, config);
  if (previous) return { ...previous, seconds: seconds(), resumed: true };
  await clearDataset(out, name, false);
  const { rows, labels } = await readDataset(out, from);
  const imageSize = from.config.imageSize;
  if (typeof imageSize !== 'number')
    throw new Error(`${datasetFiles(from.name).manifest}: the config has no imageSize`);
  const chosen = chooseRlRows(rows.length, count, from.split, seed);
  let withoutPhase = 0;
  const produced = chosen.flatMap((index): ProducedRow[] => {
    const facts = labels[index].facts as unknown as TargetFacts;
    const where = `${from.labels}: line ${index + 1}`;
    if (facts.trajectory === undefined) throw new Error(`${where}: no trajectory label`);
    const images = promptImages(rows[index]);
    const { instruction, fast_ids: targetFastIds, state_text: state } = facts;
    const label = (answer: string) => ({ kind: `${source}-prompt`, answer, facts: { fastRow: index } });
    if (target === 'high-level') {
      if (facts.high_level === undefined) {
        withoutPhase++;
        return [];
      }
      const row: HighLevelRlRow = {
        ...promptOnly(images, highLevelPrompt(instruction, state)),
        targetText: facts.high_level,
        targetFastIds,
        instruction,
      };
      return [{ row, label: label(facts.high_level), images: [] }];
    }
    const row: TrajectoryRlRow = {
      ...promptOnly(images, trajectoryPrompt(instruction, state)),
      targetTrajectory: facts.trajectory,
      imageSize,
      targetFastIds,
      instruction,
    };
    return [{ row, label: label(trajectoryText(facts.trajectory)), images: [] }];
  });
  const manifest = await writeDataset(
    out,
    {
      name,
      source,
      split: from.split,
      seed,
      units: chosen.length,
      config,
      imagesDir: from.imagesDir,
      ...(target === 'high-level' ? { stats: { drawn: chosen.length, withoutPhase } } : {}),
    },
    produced,
  );
  return { ...manifest, seconds: seconds(), resumed: false };
}
