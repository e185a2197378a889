import type { DatasetConfig } from './generate-dataset.js';

/** A dataset size: everything of {@link DatasetConfig} but where it goes and its seed. */
export type DataPreset = Omit<DatasetConfig, 'out' | 'seed'>;

/**
 * Dataset sizes. `smoke` checks the wiring in seconds (tens of rows per source), `quick` is a small real run
 * (about 1–2k rows per source), `paper` is the full miniature (10k+ rows per source). RL prompts are 1% of
 * the SFT rows, as in the paper.
 */
export const DATA_PRESETS = {
  smoke: {
    train: { 'general-vqa': 30, 'robot-vqa': 30, reasoning: 20, 'fast-actions': 40 },
    heldout: { 'general-vqa': 8, 'robot-vqa': 8, reasoning: 8, 'fast-actions': 8, rl: 2 },
    tokenizer: { episodes: 4, vocabSize: 320 },
  },
  quick: {
    train: { 'general-vqa': 1500, 'robot-vqa': 1500, reasoning: 1000, 'fast-actions': 2000 },
    heldout: { 'general-vqa': 150, 'robot-vqa': 150, reasoning: 100, 'fast-actions': 150, rl: 20 },
    tokenizer: { episodes: 80, vocabSize: 1024 },
  },
  paper: {
    train: { 'general-vqa': 12000, 'robot-vqa': 12000, reasoning: 10000, 'fast-actions': 16000 },
    heldout: { 'general-vqa': 500, 'robot-vqa': 500, reasoning: 500, 'fast-actions': 500, rl: 50 },
    tokenizer: { episodes: 400, vocabSize: 1024 },
  },
} as const satisfies Record<string, DataPreset>;

export type DataPresetName = keyof typeof DATA_PRESETS;
