import { DatasetError } from './errors.js';
import type { RgbImage } from './rgb-image.js';

/**
 * One recorded robot episode, whatever its source (RLDS TFRecords, LeRobot parquet, a simulator rollout).
 * Arrays are row-major over time: row `t` of `actions` is `actions.subarray(t * actionDim, (t + 1) * actionDim)`.
 */
export interface RobotEpisode {
  /** Position of the episode in its source: record order for RLDS, `episode_index` for LeRobot. */
  readonly index: number;
  /** The language instruction (LeRobot: the episode's first task). May be empty when the source has none. */
  readonly instruction: string;
  /** Control frequency in Hz. */
  readonly fps: number;
  /** Number of time steps `T`. */
  readonly length: number;
  /** Actions, row-major `[T, actionDim]`. */
  readonly actions: Float32Array;
  /** The width of one action. */
  readonly actionDim: number;
  /** Proprioceptive states, row-major `[T, stateDim]`, when the source has them. */
  readonly states?: Float32Array;
  /** The width of one state; present exactly when `states` is. */
  readonly stateDim?: number;
  /**
   * Per-step state of the environment rather than the robot (LeRobot `observation.environment_state`, e.g.
   * an object's position), row-major `[T, environmentStateDim]`, when the source has it.
   */
  readonly environmentStates?: Float32Array;
  /** The width of one environment state; present exactly when `environmentStates` is. */
  readonly environmentStateDim?: number;
  /** Seconds since the episode start, one per step, when the source stores them (LeRobot `timestamp`). */
  readonly timestamps?: Float32Array;
  /** Camera name → one image per step. All images of one camera share a size. */
  readonly images?: Readonly<Record<string, readonly RgbImage[]>>;
}

/**
 * Throws a clear Error when the arrays of `episode` disagree with its declared shape.
 * `where` names the episode in the message (a file, a record number).
 */
export function assertEpisodeShape(episode: RobotEpisode, where: string): void {
  const { length, actionDim } = episode;
  if (!Number.isInteger(length) || length < 0)
    throw new DatasetError(`${where}: length must be an integer >= 0, got ${length}`);
  if (!(Number.isFinite(episode.fps) && episode.fps > 0))
    throw new DatasetError(`${where}: fps must be > 0, got ${episode.fps}`);
  if (!Number.isInteger(actionDim) || actionDim < 1)
    throw new DatasetError(`${where}: actionDim must be an integer >= 1, got ${actionDim}`);
  if (episode.actions.length !== length * actionDim) {
    throw new DatasetError(
      `${where}: actions: expected float32 [${length}, ${actionDim}], got ${episode.actions.length} values`,
    );
  }
  assertRows(where, 'states', 'stateDim', episode.states, episode.stateDim, length);
  assertRows(
    where,
    'environmentStates',
    'environmentStateDim',
    episode.environmentStates,
    episode.environmentStateDim,
    length,
  );
  if (episode.timestamps !== undefined && episode.timestamps.length !== length) {
    throw new DatasetError(
      `${where}: timestamps: expected ${length} values, got ${episode.timestamps.length}`,
    );
  }
  for (const [camera, frames] of Object.entries(episode.images ?? {})) {
    if (frames.length !== length)
      throw new DatasetError(`${where}: images/${camera}: expected ${length} frames, got ${frames.length}`);
    const first = frames[0];
    frames.forEach((image, t) => {
      if (image.width !== first.width || image.height !== first.height) {
        throw new DatasetError(
          `${where}: images/${camera} frame ${t}: expected ${first.width}x${first.height}, got ${image.width}x${image.height}`,
        );
      }
      if (image.data.length !== image.width * image.height * 3) {
        throw new DatasetError(
          `${where}: images/${camera} frame ${t}: expected uint8 [${image.height}, ${image.width}, 3], got ${image.data.length} bytes`,
        );
      }
    });
  }
}

/** Checks an optional row-major `[length, dim]` array and its width, which must be given together. */
function assertRows(
  where: string,
  name: string,
  dimName: string,
  values: Float32Array | undefined,
  dim: number | undefined,
  length: number,
): void {
  if ((values === undefined) !== (dim === undefined)) {
    throw new DatasetError(`${where}: ${name} and ${dimName} must be given together`);
  }
  if (values === undefined || dim === undefined) return;
  if (!Number.isInteger(dim) || dim < 1) {
    throw new DatasetError(`${where}: ${dimName} must be an integer >= 1, got ${dim}`);
  }
  if (values.length !== length * dim) {
    throw new DatasetError(
      `${where}: ${name}: expected float32 [${length}, ${dim}], got ${values.length} values`,
    );
  }
}
