import type { Conversation } from '@roboalign/vlm';
import type { UnitPool } from './unit-pool.js';

/**
 * The four SFT sources of the paper's data mixture, the RL prompts drawn from the FAST source, and the RL
 * prompts of the two alternative alignment targets (issue #22), drawn from the same FAST rows.
 */
export type SourceName =
  | 'general-vqa'
  | 'robot-vqa'
  | 'reasoning'
  | 'fast-actions'
  | 'rl'
  | AlternativeRlSource
  | AlternativeSftSource;

/** The RL prompts of the alternative alignment targets: the next high-level step, the gripper's pixel path. */
export type AlternativeRlSource = 'rl-highlevel' | 'rl-trajectory';

/**
 * The SFT rows that teach the alternative targets' answer format: the FAST think-then-act rows asked for the
 * next step in words or the gripper's pixel path instead, with the same reasoning.
 */
export type AlternativeSftSource = 'sft-highlevel' | 'sft-trajectory';

/** Training rows, or rows held out for evaluation (generated from other seeds). */
export type Split = 'train' | 'heldout';

/** One written row: the VLM's chat format (`{ messages }`), image paths relative to the JSONL file. */
export type ChatRow = Conversation;

/** A FAST row: the chat row plus the FAST ids of its answer, for scoring generated actions. */
export interface FastRow extends Conversation {
  /** FAST ids of the scripted expert's next action chunk (the ids between the answer's action markers). */
  targetFastIds: number[];
}

/** An RL prompt: the user turn only, with the FAST ids the reward compares the generated actions with. */
export interface RlRow extends Conversation {
  /** FAST ids of the scripted expert's next action chunk (the reward's target). */
  targetFastIds: number[];
  /** The task instruction of the prompt. */
  instruction: string;
}

/**
 * An RL prompt of the high-level-action target: the user turn asking for the expert's next step in words
 * (`highLevelPrompt`), with the phrase the reward compares the answer with.
 */
export interface HighLevelRlRow extends Conversation {
  /** The expert's next step in words (`phaseText`), e.g. `move above the red block`. */
  targetText: string;
  /** FAST ids of the same FAST row's chunk, for reference. */
  targetFastIds: number[];
  instruction: string;
}

/**
 * An RL prompt of the point-trajectory target: the user turn asking for the gripper's pixel positions over the
 * next half second (`trajectoryPrompt`), with the positions the reward compares the answer with.
 */
export interface TrajectoryRlRow extends Conversation {
  /** Agent-view pixels `[column, row]` of the grasp point (`trajectoryPixels`), integers inside the image. */
  targetTrajectory: [number, number][];
  /** Side of the agent-view image the pixels are in (the trajectory reward's `imageSize`). */
  imageSize: number;
  /** FAST ids of the same FAST row's chunk, for reference. */
  targetFastIds: number[];
  instruction: string;
}

/**
 * What the generator knew when it wrote a row: its question kind, its answer and the privileged facts it came
 * from. Written line by line beside the rows (`<name>.labels.jsonl`), for tests and held-out evaluation.
 */
export interface RowLabel {
  /** Question kind, e.g. `grounding`, `next-step`, `fast-chunk`. */
  readonly kind: string;
  /** The answer text (for multiple choice, the letter). */
  readonly answer: string;
  /** Kind-specific privileged facts (plain JSON). */
  readonly facts: Readonly<Record<string, unknown>>;
}

/** A PNG written for a row, at `path` relative to the output folder. */
export interface ProducedImage {
  readonly path: string;
  readonly png: Uint8Array;
}

/** A row as a generator unit produces it: the row, its label and the images it refers to. */
export interface ProducedRow {
  readonly row: ChatRow | FastRow | RlRow | HighLevelRlRow | TrajectoryRlRow;
  readonly label: RowLabel;
  readonly images: readonly ProducedImage[];
}

/** Options shared by every source's entry point. */
export interface GenerateOptions {
  /** Rows to write. */
  readonly count: number;
  /** Same seed, same files (byte for byte), whatever the number of workers. */
  readonly seed: number;
  /** Output folder: `<out>/<name>.jsonl`, `<out>/<name>.labels.jsonl`, `<out>/images/<name>/…`. */
  readonly out: string;
  /** Worker threads; 0 runs in this thread. Default 2. Ignored when `pool` is given. */
  readonly workers?: number;
  /** A worker pool to reuse across sources (see `UnitPool`). */
  readonly pool?: UnitPool;
  /** `train` (default) or `heldout`: held-out rows come from other seeds and are named `<source>-heldout`. */
  readonly split?: Split;
  /** Camera image size in pixels (default 64, the suites' size). */
  readonly imageSize?: number;
  /** Progress bar on a terminal (default true; drawn only on a TTY). */
  readonly progress?: boolean;
}

/** The deterministic description of a written dataset (`<out>/<name>.manifest.json`). */
export interface DatasetManifest {
  /** `<source>` or `<source>-heldout`. */
  readonly name: string;
  readonly source: SourceName;
  readonly split: Split;
  /** The rows, relative to the output folder. */
  readonly file: string;
  /** The labels, line by line with the rows. */
  readonly labels: string;
  /** The folder of this dataset's images, relative to the output folder. */
  readonly imagesDir: string;
  readonly count: number;
  readonly seed: number;
  /** Scenes or episodes the rows came from. */
  readonly units: number;
  /** Rows per question kind. */
  readonly kinds: Readonly<Record<string, number>>;
  /** Everything that decides the content; a run with an equal config reuses the files. */
  readonly config: Readonly<Record<string, unknown>>;
  /** Source-specific figures (e.g. reasoning traces attempted and kept). */
  readonly stats?: Readonly<Record<string, number>>;
}

/** A manifest with how the call went (not written to disk, so files stay identical across runs). */
export interface GeneratedDataset extends DatasetManifest {
  /** Wall-clock seconds of the call. */
  readonly seconds: number;
  /** True when the files of an earlier run with the same config were reused. */
  readonly resumed: boolean;
}
