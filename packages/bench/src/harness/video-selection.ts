import { BenchError } from '../errors.js';

/** Which rollouts of an evaluation keep a video. */
export type VideoMode = 'none' | 'failures' | 'sample' | 'all';

/** Every {@link VideoMode}, in the order the CLI lists them. */
export const VIDEO_MODES: readonly VideoMode[] = ['none', 'failures', 'sample', 'all'];

/** Checks a mode given as text (a CLI flag, an option from JavaScript). */
export function parseVideoMode(value: string): VideoMode {
  if (!(VIDEO_MODES as readonly string[]).includes(value))
    throw new BenchError(`videos must be one of ${VIDEO_MODES.join(', ')}, got "${value}"`);
  return value as VideoMode;
}

/** What a video of a rollout shows, as the report labels it. */
export type VideoRole = 'success' | 'failure' | 'longest' | 'shortest' | 'episode' | 'chain';

/** A slot of the board and the score a rollout has there (lower is better). */
export interface Claim {
  readonly slot: number;
  readonly score: number;
  readonly role: VideoRole;
}

/** Scores of chains: fewer chains than this per run. */
const CHAIN_SCORE_BASE = 1_000_000;
const EMPTY = 0x7fffffff;

/**
 * The `sample` rule, shared by all worker threads through a SharedArrayBuffer: per task the lowest-numbered
 * trial that succeeded and the lowest-numbered one that failed; for chains the longest and the shortest
 * (ties: the lowest chain number). A runner claims a slot with its score at the end of a rollout and
 * encodes the video only when its claim is the best so far, so few videos are encoded beyond the kept
 * ones; the main thread keeps the best claim of each slot.
 */
export class ClaimBoard {
  private readonly best: Int32Array;

  constructor(readonly buffer: SharedArrayBuffer) {
    this.best = new Int32Array(buffer);
  }

  /** A board with `slots` empty slots. */
  static create(slots: number): ClaimBoard {
    const board = new ClaimBoard(new SharedArrayBuffer(4 * slots));
    board.best.fill(EMPTY);
    return board;
  }

  /** Slots an evaluation needs: two per task index (success, failure), or two for chains. */
  static slotsFor(taskCount: number): number {
    return 2 * Math.max(1, taskCount);
  }

  /** Records `score` at `slot` if it beats the slot's best; returns whether it did. */
  claim(slot: number, score: number): boolean {
    for (;;) {
      const current = Atomics.load(this.best, slot);
      if (score >= current) return false;
      if (Atomics.compareExchange(this.best, slot, current, score) === current) return true;
    }
  }
}

/** The `sample` claims of an episode: slot 2·task (success) or 2·task + 1 (failure), scored by trial. */
export function episodeClaim(taskIndex: number, trial: number, success: boolean): Claim {
  return { slot: 2 * taskIndex + (success ? 0 : 1), score: trial, role: success ? 'success' : 'failure' };
}

/** The `sample` claims of a chain: longest (slot 0) and shortest (slot 1), ties to the lower chain number. */
export function chainClaims(chain: number, completed: number, chainLength: number): Claim[] {
  if (chain >= CHAIN_SCORE_BASE) return [];
  return [
    { slot: 0, score: (chainLength - completed) * CHAIN_SCORE_BASE + chain, role: 'longest' },
    { slot: 1, score: completed * CHAIN_SCORE_BASE + chain, role: 'shortest' },
  ];
}
