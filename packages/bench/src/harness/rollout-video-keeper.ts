import { CHAIN_LENGTH, type ChainResult, type EpisodeResult } from '../report/results.js';
import { encodeAnimatedWebp, type RolloutVideo } from '../report/rollout-video.js';
import type { RolloutFrames } from './rollout-frames.js';
import { type Claim, type ClaimBoard, chainClaims, episodeClaim, type VideoMode } from './video-selection.js';

/** Control frequency of every suite (actions per simulated second). */
export const CONTROL_HZ = 20;
/** Videos play at twice the simulated speed; the final frame holds for a second so the outcome shows. */
const PLAYBACK_SPEED = 2;
const FINAL_FRAME_MS = 1000;

/** A kept video and the `sample` claims it won (empty for other modes). */
export interface KeptVideo {
  readonly video: RolloutVideo;
  readonly claims: readonly Claim[];
}

/** What the keeper needs to know about the finished rollout. */
export type FinishedRollout =
  | { readonly kind: 'episode'; readonly result: EpisodeResult }
  | {
      readonly kind: 'chain';
      readonly suite: string;
      readonly result: ChainResult;
      readonly steps: number;
      readonly instructions: readonly string[];
    };

/**
 * Decides whether a finished rollout keeps its video under `mode` and, if so, encodes its frames.
 * `sample` asks the shared board; `failures` keeps failed episodes and unfinished chains; `all` keeps all.
 */
export async function keepRolloutVideo(
  rollout: FinishedRollout,
  frames: RolloutFrames,
  mode: VideoMode,
  board: ClaimBoard | undefined,
  replanSteps: number,
): Promise<KeptVideo | undefined> {
  if (mode === 'none' || frames.length === 0) return undefined;
  const success =
    rollout.kind === 'episode' ? rollout.result.success : rollout.result.completed === CHAIN_LENGTH;
  let claims: Claim[] = [];
  let roles: string[];
  if (mode === 'sample') {
    const candidates =
      rollout.kind === 'episode'
        ? [episodeClaim(rollout.result.taskIndex, rollout.result.trial, success)]
        : chainClaims(rollout.result.chain, rollout.result.completed, CHAIN_LENGTH);
    claims = board ? candidates.filter((c) => board.claim(c.slot, c.score)) : candidates;
    if (claims.length === 0) return undefined;
    roles = claims.map((c) => c.role);
  } else {
    if (mode === 'failures' && success) return undefined;
    roles = [rollout.kind === 'episode' ? (success ? 'success' : 'failure') : 'chain'];
  }
  const raster = frames.sideBySide();
  const frameMs = Math.round((1000 * replanSteps) / CONTROL_HZ / PLAYBACK_SPEED);
  const delays = Array.from({ length: raster.frames }, (_, k) =>
    k === raster.frames - 1 ? FINAL_FRAME_MS : frameMs,
  );
  const webp = await encodeAnimatedWebp(raster, { delayMs: delays });
  const common = {
    suite: rollout.kind === 'episode' ? rollout.result.suite : rollout.suite,
    roles,
    success,
    frames: raster.frames,
    width: raster.width,
    height: raster.height,
    speed: PLAYBACK_SPEED,
    durationMs: delays.reduce((a, b) => a + b, 0),
    webp,
  };
  const video: RolloutVideo =
    rollout.kind === 'episode'
      ? {
          ...common,
          kind: 'episode',
          taskIndex: rollout.result.taskIndex,
          trial: rollout.result.trial,
          instructions: [rollout.result.instruction],
          steps: rollout.result.steps,
        }
      : {
          ...common,
          kind: 'chain',
          chain: rollout.result.chain,
          completed: rollout.result.completed,
          instructions: [...rollout.instructions],
          steps: rollout.steps,
        };
  return { video, claims };
}
