import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import type { DataStageOptions } from '../../src/data/data-stage.js';
import type { DatasetConfig } from '../../src/data/generate-dataset.js';

/**
 * A dataset small enough for tests that still has every source, both splits and one RL prompt (1% of 104).
 * It is also what {@link TINY_STAGE} asks the pipeline's data stage for.
 */
export const TINY: Omit<DatasetConfig, 'out' | 'workers'> = {
  seed: 3,
  train: { 'general-vqa': 40, 'robot-vqa': 24, reasoning: 16, 'fast-actions': 24 },
  heldout: { 'general-vqa': 6, 'robot-vqa': 6, reasoning: 6, 'fast-actions': 6, rl: 6 },
  tokenizer: { episodes: 4, vocabSize: 300, horizon: 10 },
  progress: false,
};

/** {@link TINY} as the pipeline's data stage options (`generateData`). */
export const TINY_STAGE: Omit<DataStageOptions, 'out'> = {
  seed: 3,
  samples: { general: 40, robot: 24, reasoning: 16, fast: 24, heldOut: 6 },
  rlFraction: 0.01,
  fast: { horizon: 10, vocabSize: 300 },
  progress: false,
};

/** Every file under `dir` (relative path → bytes). */
export async function readTree(dir: string): Promise<Map<string, Buffer>> {
  const files = new Map<string, Buffer>();
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    files.set(relative(dir, path), await readFile(path));
  }
  return files;
}
