import { isDeepStrictEqual } from 'node:util';
import { mulberry32, seedFromParts } from '@roboalign/utils';
import { parseActionTokens } from './action-text.js';
import { promptOnly } from './chat-rows.js';
import { clearDataset, completedDataset, readDataset, writeDataset } from './dataset-files.js';
import { rlPrompt } from './fast-prompts.js';
import { datasetName } from './generate-sources.js';
import type { ChatRow, DatasetManifest, GeneratedDataset, ProducedRow, RlRow, Split } from './types.js';

/** Options of {@link generateRlData}. */
export interface RlDataOptions {
  /** The FAST dataset to draw from (written in `out`); its images are shared, not copied. */
  readonly from: DatasetManifest;
  readonly out: string;
  /** Prompts to draw (at most the FAST rows). */
  readonly count: number;
  readonly seed: number;
}

/**
 * The FAST rows the RL prompts are drawn from: `count` of `rows` indices without replacement (a seeded
 * shuffle of split and seed), in row order. Every RL target (`rl`, `rl-highlevel`, `rl-trajectory`) draws
 * these same rows.
 */
export function chooseRlRows(rows: number, count: number, split: Split, seed: number): number[] {
  const rng = mulberry32(seedFromParts('roboalign-data', 'rl', split, seed));
  const order = Array.from({ length: rows }, (_, i) => i);
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  return order.slice(0, count).sort((a, b) => a - b);
}

/** The image paths of a row's user turn, in order (relative to the JSONL file). */
export function promptImages(row: ChatRow): string[] {
  const [user] = row.messages;
  return Array.isArray(user.content)
    ? user.content.flatMap((item) => (item.type === 'image' && item.path ? [item.path] : []))
    : [];
}

/**
 * (e) RL data: `count` rows of the FAST dataset drawn without replacement (seeded), turned into prompts that ask
 * for reasoning before the action tokens, each keeping `targetFastIds` and `instruction` for the reward.
 * The split follows the FAST dataset's (`rl` from `fast-actions`, `rl-heldout` from `fast-actions-heldout`).
 */
export async function generateRlData(options: RlDataOptions): Promise<GeneratedDataset> {
  const started = performance.now();
  const { from, out, count, seed } = options;
  if (from.source !== 'fast-actions')
    throw new Error(`generateRlData: draws from fast-actions, got ${from.name}`);
  if (!Number.isInteger(count) || count < 0 || count > from.count)
    throw new RangeError(`generateRlData: count must be an integer in [0, ${from.count}], got ${count}`);
  const name = datasetName('rl', from.split);
  const config = { source: 'rl', from: from.name, fromConfig: from.config, count, seed };
  const seconds = () => (performance.now() - started) / 1000;
  const previous = await completedDataset(out, name, config);
  if (previous) return { ...previous, seconds: seconds(), resumed: true };
  await clearDataset(out, name, false);
  const { rows, labels } = await readDataset(out, from);
  const chosen = chooseRlRows(rows.length, count, from.split, seed);
  const produced = chosen.map((index): ProducedRow => {
    const images = promptImages(rows[index]);
    const facts = labels[index].facts as { instruction: string; fast_ids: number[]; state_text?: string };
    const { instruction, fast_ids: ids } = facts;
    if (!isDeepStrictEqual(parseActionTokens(labels[index].answer), ids))
      throw new Error(`${from.labels}: line ${index + 1}: the answer's action tokens are not its fast_ids`);
    const row: RlRow = {
      ...promptOnly(images, rlPrompt(instruction, facts.state_text)),
      targetFastIds: ids,
      instruction,
    };
    return {
      row,
      label: { kind: 'rl-prompt', answer: labels[index].answer, facts: { fastRow: index } },
      images: [],
    };
  });
  const manifest = await writeDataset(
    out,
    { name, source: 'rl', split: from.split, seed, units: chosen.length, config, imagesDir: from.imagesDir },
    produced,
  );
  return { ...manifest, seconds: seconds(), resumed: false };
}
