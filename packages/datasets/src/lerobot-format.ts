import { DatasetError } from './errors.js';

/** The LeRobot dataset layout version this package writes. */
export const LEROBOT_CODEBASE_VERSION = 'v2.1';
/** LeRobot v2.x default: episodes per `data/chunk-XXX` folder. */
export const LEROBOT_CHUNKS_SIZE = 1000;
/** LeRobot v2.x `data_path` template (Python format syntax). */
export const LEROBOT_DATA_PATH = 'data/chunk-{episode_chunk:03d}/episode_{episode_index:06d}.parquet';
/** LeRobot v2.x `video_path` template: one MP4 per camera (`video_key`) and episode. */
export const LEROBOT_VIDEO_PATH =
  'videos/chunk-{episode_chunk:03d}/{video_key}/episode_{episode_index:06d}.mp4';
/** Column-name prefix of camera features; `RobotEpisode.images` keys are the rest of the name. */
export const LEROBOT_IMAGE_PREFIX = 'observation.images.';
/** Default column names for the action and the proprioceptive state. */
export const LEROBOT_ACTION_KEY = 'action';
/** Default column name of the proprioceptive state. */
export const LEROBOT_STATE_KEY = 'observation.state';
/** LeRobot's column name of the environment state (`RobotEpisode.environmentStates`). */
export const LEROBOT_ENVIRONMENT_STATE_KEY = 'observation.environment_state';

/** One entry of `meta/info.json` `features`. */
export interface LeRobotFeature {
  readonly dtype: string;
  readonly shape: readonly number[];
  readonly names: readonly string[] | Readonly<Record<string, readonly string[]>> | null;
  readonly info?: Readonly<Record<string, unknown>> | null;
}

/** `meta/info.json` of a LeRobot v2.x dataset. */
export interface LeRobotInfo {
  readonly codebase_version: string;
  readonly robot_type: string | null;
  readonly total_episodes: number;
  readonly total_frames: number;
  readonly total_tasks: number;
  readonly total_videos: number;
  readonly total_chunks: number;
  readonly chunks_size: number;
  readonly fps: number;
  readonly splits: Readonly<Record<string, string>>;
  readonly data_path: string;
  readonly video_path: string | null;
  readonly features: Readonly<Record<string, LeRobotFeature>>;
}

/** One line of `meta/episodes.jsonl`. */
export interface LeRobotEpisodeMeta {
  readonly episode_index: number;
  readonly tasks: readonly string[];
  readonly length: number;
}

/** One line of `meta/tasks.jsonl`. */
export interface LeRobotTask {
  readonly task_index: number;
  readonly task: string;
}

/**
 * Fills a LeRobot path template such as {@link LEROBOT_DATA_PATH}. Supports the subset of Python's
 * `str.format` that LeRobot uses: `{name}` and zero-padded integers `{name:03d}`.
 */
export function formatLeRobotPath(
  template: string,
  values: Readonly<Record<string, number | string>>,
): string {
  return template.replace(
    /\{(\w+)(?::(0?)(\d*)d)?\}/g,
    (_match, name: string, zero: string, width: string) => {
      const value = values[name];
      if (value === undefined) throw new DatasetError(`path template ${template}: no value for {${name}}`);
      const text = String(value);
      return width ? text.padStart(Number(width), zero ? '0' : ' ') : text;
    },
  );
}

/** The `data_path` of one episode, relative to the dataset root. */
export function episodeDataPath(
  info: Pick<LeRobotInfo, 'data_path' | 'chunks_size'>,
  episodeIndex: number,
): string {
  return formatLeRobotPath(info.data_path, {
    episode_chunk: Math.floor(episodeIndex / info.chunks_size),
    episode_index: episodeIndex,
  });
}

/** The `video_path` of one camera's video of one episode, relative to the dataset root. */
export function episodeVideoPath(
  info: Pick<LeRobotInfo, 'video_path' | 'chunks_size'>,
  videoKey: string,
  episodeIndex: number,
): string {
  if (info.video_path === null) throw new DatasetError(`info.json has no video_path for ${videoKey}`);
  return formatLeRobotPath(info.video_path, {
    episode_chunk: Math.floor(episodeIndex / info.chunks_size),
    video_key: videoKey,
    episode_index: episodeIndex,
  });
}
