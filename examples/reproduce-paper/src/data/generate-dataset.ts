import { join } from 'node:path';
import { writeJsonAtomic } from '@roboalign/utils';
import { loadActionTokenizer } from './action-tokenizer.js';
import { generateAlternativeRlData } from './alternative-rl-data.js';
import { generateAlternativeSftData } from './alternative-sft-data.js';
import { datasetFiles } from './dataset-files.js';
import { fitActionTokenizer } from './fit-action-tokenizer.js';
import {
  DEFAULT_WORKERS,
  generateFastActions,
  generateGeneralVqa,
  generateReasoning,
  generateRobotVqa,
} from './generate-sources.js';
import { generateRlData } from './rl-data.js';
import { writeTextCorpus } from './text-corpus.js';
import type {
  AlternativeRlSource,
  AlternativeSftSource,
  GeneratedDataset,
  SourceName,
  Split,
} from './types.js';
import { UnitPool } from './unit-pool.js';

/** The four SFT sources. */
export type SftSource = Exclude<SourceName, 'rl' | AlternativeRlSource | AlternativeSftSource>;

/** The datasets of every run: the four SFT sources and the FAST RL prompts. */
export type CoreSource = Exclude<SourceName, AlternativeRlSource | AlternativeSftSource>;

/** A split's datasets of every run. */
export type CoreDatasets = Readonly<Record<CoreSource, GeneratedDataset>>;

/** A split's RL prompts of the alternative targets. */
export type AlternativeDatasets = Readonly<Record<AlternativeRlSource, GeneratedDataset>>;

/** The SFT rows that teach the alternative targets' answer format (training split only). */
export type AlternativeSftDatasets = Readonly<Record<AlternativeSftSource, GeneratedDataset>>;

/** Rows per SFT source. */
export type SourceCounts = Readonly<Record<SftSource, number>>;

/** The paper's RL data is about 1% of its SFT data; more is refused. */
export const MAX_RL_SHARE = 0.01;

/** Total rows below which {@link generateDataset} runs in this thread by default. */
export const IN_THREAD_BELOW = 400;

/** The folder of the action tokenizer inside the output folder. */
export const TOKENIZER_DIR = 'action-tokenizer';

/** Everything {@link generateDataset} makes. */
export interface DatasetConfig {
  readonly out: string;
  readonly seed: number;
  /** Training rows per source. */
  readonly train: SourceCounts;
  /** Held-out rows per source (other seeds), and held-out RL prompts. */
  readonly heldout: SourceCounts & { readonly rl: number };
  /** RL prompts as a share of all SFT training rows, at most {@link MAX_RL_SHARE} (the default). */
  readonly rlShare?: number;
  /** FAST fit: pool episodes, vocabulary size, horizon (default 10), scale (default 10). */
  readonly tokenizer: {
    readonly episodes: number;
    readonly vocabSize: number;
    readonly horizon?: number;
    readonly scale?: number;
    /** A released FAST tokenizer folder (e.g. `../shared/fast-plus`) to use instead of fitting one. */
    readonly pretrained?: string;
  };
  /** Worker threads for all sources (default: 2, or 0 below {@link IN_THREAD_BELOW} rows, where starting threads costs more than it saves). */
  readonly workers?: number;
  readonly imageSize?: number;
  readonly frameStride?: number;
  /** Bins of the robot state in the FAST and RL prompts (`stateText`); 0 or absent leaves it out. */
  readonly stateBins?: number;
  /** Share of FAST training rows answered think-then-act (`thinkActAnswer`); held-out rows never are. */
  readonly thinkShare?: number;
  readonly questionsPerScene?: number;
  readonly questionsPerFrame?: number;
  /**
   * Also write the RL prompts of the alternative alignment targets (issue #22), `rl-highlevel` and
   * `rl-trajectory` with their held-out splits, from the same FAST rows as `rl` (`generateAlternativeRlData`),
   * and their SFT rows `sft-highlevel` and `sft-trajectory`, one per think-then-act FAST training row
   * (`generateAlternativeSftData`); the FAST datasets then label their rows with both targets. Default false: nothing else changes, so
   * existing runs resume as they were. The text corpus leaves these prompts out either way.
   */
  readonly alternativeTargets?: boolean;
  readonly progress?: boolean;
}

/** What {@link generateDataset} wrote: plain JSON (a stage record can keep it), paths and manifests. */
export interface GeneratedData {
  readonly out: string;
  /** The action tokenizer's folder (`loadActionTokenizer`; fast-tokenizer's `loadFastTokenizer` reads it too). */
  readonly tokenizerDir: string;
  /** `<FAST_i>` tokens the VLM's vocabulary needs. */
  readonly fastVocabSize: number;
  /** Steps per action chunk. */
  readonly horizon: number;
  readonly train: CoreDatasets;
  readonly heldout: CoreDatasets;
  /**
   * With `alternativeTargets`: the alternative targets' RL prompts per split (`rl-highlevel`, `rl-trajectory`)
   * and their SFT rows (`sft-highlevel`, `sft-trajectory`).
   */
  readonly alternatives?: {
    readonly train: AlternativeDatasets;
    readonly heldout: AlternativeDatasets;
    readonly sft: AlternativeSftDatasets;
  };
  /** `<out>/text-corpus.txt`: every training question and answer, for the VLM's text BPE. */
  readonly corpus: string;
  /** Seconds of the whole call. */
  readonly seconds: number;
}

/** The RL prompt count of a config: `rlShare` of all SFT training rows, rounded down. */
export function rlCount(config: Pick<DatasetConfig, 'train' | 'rlShare'>): number {
  const share = config.rlShare ?? MAX_RL_SHARE;
  if (!(share >= 0 && share <= MAX_RL_SHARE))
    throw new RangeError(`rlShare must be in [0, ${MAX_RL_SHARE}] (the paper's ~1%), got ${share}`);
  const sft = Object.values(config.train).reduce((a, b) => a + b, 0);
  return Math.min(Math.floor(share * sft + 1e-9), config.train['fast-actions']);
}

/**
 * Stage 1 of the pipeline: fits the action tokenizer on the FAST pool, then writes the four SFT sources and the
 * RL prompts (with `alternativeTargets`, those of the alternative targets too), training and held-out splits,
 * the text corpus and `<out>/manifest.json`, all in one worker pool.
 * Each dataset is written atomically and reused when its config is unchanged, so a run resumes where it
 * stopped.
 */
export async function generateDataset(config: DatasetConfig): Promise<GeneratedData> {
  const started = performance.now();
  const { out, seed } = config;
  const rl = rlCount(config);
  const alternativeTargets = config.alternativeTargets ?? false;
  const total = [...Object.values(config.train), ...Object.values(config.heldout)].reduce((a, b) => a + b, 0);
  const pool = new UnitPool(config.workers ?? (total < IN_THREAD_BELOW ? 0 : DEFAULT_WORKERS));
  const common = { out, seed, pool, imageSize: config.imageSize, progress: config.progress };
  const episodic = { ...common, frameStride: config.frameStride };
  const tokenizerDir = join(out, TOKENIZER_DIR);
  try {
    const tokenizer = await fitActionTokenizer({
      dir: tokenizerDir,
      seed,
      pool,
      progress: config.progress,
      ...config.tokenizer,
    });
    const fitted = await loadActionTokenizer(tokenizerDir);
    const sources = async (split: Split, counts: SourceCounts, rlRows: number): Promise<CoreDatasets> => {
      const at = { ...common, split };
      const fast = await generateFastActions({
        ...episodic,
        split,
        count: counts['fast-actions'],
        tokenizer: tokenizerDir,
        stateBins: config.stateBins,
        thinkShare: split === 'train' ? config.thinkShare : 0,
        ...(alternativeTargets ? { alternativeTargets } : {}),
      });
      return {
        'general-vqa': await generateGeneralVqa({
          ...at,
          count: counts['general-vqa'],
          questionsPerScene: config.questionsPerScene,
        }),
        'robot-vqa': await generateRobotVqa({
          ...episodic,
          split,
          count: counts['robot-vqa'],
          questionsPerFrame: config.questionsPerFrame,
        }),
        reasoning: await generateReasoning({ ...episodic, split, count: counts.reasoning }),
        'fast-actions': fast,
        rl: await generateRlData({ from: fast, out, count: Math.min(rlRows, fast.count), seed }),
      };
    };
    // The same FAST rows as the split's RL prompts: same FAST dataset, count and seed.
    const alternativesOf = async (core: CoreDatasets): Promise<AlternativeDatasets> => {
      const prompts = { from: core['fast-actions'], out, count: core.rl.count, seed };
      return {
        'rl-highlevel': await generateAlternativeRlData({ ...prompts, target: 'high-level' }),
        'rl-trajectory': await generateAlternativeRlData({ ...prompts, target: 'trajectory' }),
      };
    };
    const train = await sources('train', config.train, rl);
    const heldout = await sources('heldout', config.heldout, config.heldout.rl);
    const alternatives = alternativeTargets
      ? {
          train: await alternativesOf(train),
          heldout: await alternativesOf(heldout),
          sft: {
            'sft-highlevel': await generateAlternativeSftData({
              from: train['fast-actions'],
              out,
              target: 'high-level',
            }),
            'sft-trajectory': await generateAlternativeSftData({
              from: train['fast-actions'],
              out,
              target: 'trajectory',
            }),
          },
        }
      : undefined;
    // The alternative targets' rows stay out of the corpus, so they leave the VLM's tokenizer unchanged.
    const corpus = await writeTextCorpus(out, Object.values(train));
    const manifest = (sets: Readonly<Record<string, GeneratedDataset>>) =>
      Object.fromEntries(Object.entries(sets).map(([source, d]) => [source, datasetFiles(d.name).manifest]));
    // What decides the content, in a fixed key order (not where it went, nor how many threads made it).
    await writeJsonAtomic(join(out, 'manifest.json'), {
      seed,
      rl,
      tokenizerFit: fitted.fit,
      tokenizer: TOKENIZER_DIR,
      corpus: 'text-corpus.txt',
      train: manifest({ ...train, ...alternatives?.train, ...alternatives?.sft }),
      heldout: manifest({ ...heldout, ...alternatives?.heldout }),
    });
    return {
      out,
      tokenizerDir,
      fastVocabSize: tokenizer.fastVocabSize,
      horizon: tokenizer.horizon,
      train,
      heldout,
      ...(alternatives ? { alternatives } : {}),
      corpus,
      seconds: (performance.now() - started) / 1000,
    };
  } finally {
    await pool.close();
  }
}
