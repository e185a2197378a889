import { join } from 'node:path';
import { datasetFiles } from './dataset-files.js';
import { type GeneratedData, generateDataset } from './generate-dataset.js';
import type { GeneratedDataset } from './types.js';

/** What the pipeline's data stage asks for. */
export interface DataStageOptions {
  readonly out: string;
  readonly seed: number;
  /** Training rows per source (a–d), and held-out rows per source. */
  readonly samples: {
    readonly general: number;
    readonly robot: number;
    readonly reasoning: number;
    readonly fast: number;
    readonly heldOut: number;
  };
  /** RL prompts as a share of the SFT rows, at most 0.01. */
  readonly rlFraction: number;
  /**
   * FAST chunk length, vocabulary size (256 or more) and DCT scale (default 10); `pretrained` uses e.g. FAST+
   * instead of fitting; `stateBins` writes the robot state into the FAST prompts (0 or absent: no state);
   * `thinkShare` of the FAST training rows are asked with the RL prompt and answered think-then-act.
   */
  readonly fast: {
    readonly horizon: number;
    readonly vocabSize: number;
    readonly scale?: number;
    readonly stateBins?: number;
    readonly thinkShare?: number;
    readonly pretrained?: string;
  };
  /** Pool episodes the FAST tokenizer is fitted on (default: one per 25 FAST rows, 4 to 400). */
  readonly tokenizerEpisodes?: number;
  /** Side of the rendered camera images in pixels (default 64). */
  readonly imageSize?: number;
  /**
   * Also write the RL prompts of the alternative alignment targets (issue #22) on the FAST RL prompts' rows:
   * `rl-highlevel` (`targetText`) and `rl-trajectory` (`targetTrajectory`), both splits, and the SFT rows
   * that teach their answers (`sft-highlevel`, `sft-trajectory`). Default false.
   */
  readonly alternativeTargets?: boolean;
  readonly workers?: number;
  readonly progress?: boolean;
}

/** Paths for the later stages (plain JSON). */
export interface DataStageResult {
  /**
   * Training JSONL files. `rl` rows carry `targetFastIds`. With `alternativeTargets`, `rlHighLevel` rows
   * carry `targetText` and `rlTrajectory` rows `targetTrajectory` (agent-view pixels) and `imageSize`, drawn
   * from the same FAST rows as `rl`; `sftHighLevel` and `sftTrajectory` are their SFT rows.
   */
  readonly train: {
    readonly general: string;
    readonly robot: string;
    readonly reasoning: string;
    readonly fast: string;
    readonly rl: string;
    readonly rlHighLevel?: string;
    readonly rlTrajectory?: string;
    readonly sftHighLevel?: string;
    readonly sftTrajectory?: string;
  };
  /**
   * Held-out JSONL files (other seeds). `fast` rows carry `targetFastIds`; `rl` is the held-out split of
   * the RL prompts (reasoning asked before the action tokens), also with `targetFastIds`; `rlHighLevel` and
   * `rlTrajectory` those of the alternative targets, with `alternativeTargets`.
   */
  readonly heldOut: {
    readonly general: string;
    readonly robot: string;
    readonly reasoning: string;
    readonly fast: string;
    readonly rl: string;
    readonly rlHighLevel?: string;
    readonly rlTrajectory?: string;
  };
  /** Every training question and answer, one per line, for the VLM's text BPE. */
  readonly corpus: string;
  /** The FAST tokenizer's folder (Hugging Face files and `action-normalization.json`). */
  readonly fastTokenizer: string;
  readonly fastVocabSize: number;
  readonly horizon: number;
  /** `<out>/manifest.json`. */
  readonly manifest: string;
  /** Rows written per dataset name. */
  readonly counts: Readonly<Record<string, number>>;
}

/** The default number of pool episodes for fitting FAST: about one per 25 FAST rows. */
export function defaultTokenizerEpisodes(fastRows: number): number {
  return Math.min(400, Math.max(4, Math.ceil(fastRows / 25)));
}

/**
 * The pipeline's data stage: {@link generateDataset} with the pipeline preset's sizes, returning the paths the
 * later stages read.
 */
export async function generateData(options: DataStageOptions): Promise<DataStageResult> {
  const { samples } = options;
  const data: GeneratedData = await generateDataset({
    out: options.out,
    seed: options.seed,
    train: {
      'general-vqa': samples.general,
      'robot-vqa': samples.robot,
      reasoning: samples.reasoning,
      'fast-actions': samples.fast,
    },
    heldout: {
      'general-vqa': samples.heldOut,
      'robot-vqa': samples.heldOut,
      reasoning: samples.heldOut,
      'fast-actions': samples.heldOut,
      rl: samples.heldOut,
    },
    rlShare: options.rlFraction,
    tokenizer: {
      episodes: options.tokenizerEpisodes ?? defaultTokenizerEpisodes(samples.fast),
      vocabSize: options.fast.vocabSize,
      horizon: options.fast.horizon,
      ...(options.fast.scale !== undefined ? { scale: options.fast.scale } : {}),
      ...(options.fast.pretrained ? { pretrained: options.fast.pretrained } : {}),
    },
    imageSize: options.imageSize,
    stateBins: options.fast.stateBins,
    thinkShare: options.fast.thinkShare,
    ...(options.alternativeTargets ? { alternativeTargets: true } : {}),
    workers: options.workers,
    progress: options.progress,
  });
  const path = (d: GeneratedDataset) => join(options.out, datasetFiles(d.name).file);
  const { alternatives } = data;
  const all = [
    ...Object.values(data.train),
    ...Object.values(data.heldout),
    ...(alternatives
      ? [alternatives.train, alternatives.heldout, alternatives.sft].flatMap((sets) => Object.values(sets))
      : []),
  ];
  const alternativePaths = (split: 'train' | 'heldout') =>
    alternatives
      ? {
          rlHighLevel: path(alternatives[split]['rl-highlevel']),
          rlTrajectory: path(alternatives[split]['rl-trajectory']),
        }
      : {};
  return {
    train: {
      general: path(data.train['general-vqa']),
      robot: path(data.train['robot-vqa']),
      reasoning: path(data.train.reasoning),
      fast: path(data.train['fast-actions']),
      rl: path(data.train.rl),
      ...alternativePaths('train'),
      ...(alternatives
        ? {
            sftHighLevel: path(alternatives.sft['sft-highlevel']),
            sftTrajectory: path(alternatives.sft['sft-trajectory']),
          }
        : {}),
    },
    heldOut: {
      general: path(data.heldout['general-vqa']),
      robot: path(data.heldout['robot-vqa']),
      reasoning: path(data.heldout.reasoning),
      fast: path(data.heldout['fast-actions']),
      rl: path(data.heldout.rl),
      ...alternativePaths('heldout'),
    },
    corpus: data.corpus,
    fastTokenizer: data.tokenizerDir,
    fastVocabSize: data.fastVocabSize,
    horizon: data.horizon,
    manifest: join(options.out, 'manifest.json'),
    counts: Object.fromEntries(all.map((d) => [d.name, d.count])),
  };
}
