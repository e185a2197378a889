import { randomBytes } from 'node:crypto';
import { mkdir, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { assertEpisodeShape, type RobotEpisode } from './episode.js';
import { DatasetError } from './errors.js';
import {
  episodeDataPath,
  episodeVideoPath,
  LEROBOT_ACTION_KEY,
  LEROBOT_CHUNKS_SIZE,
  LEROBOT_CODEBASE_VERSION,
  LEROBOT_DATA_PATH,
  LEROBOT_ENVIRONMENT_STATE_KEY,
  LEROBOT_IMAGE_PREFIX,
  LEROBOT_STATE_KEY,
  LEROBOT_VIDEO_PATH,
  type LeRobotEpisodeMeta,
  type LeRobotFeature,
  type LeRobotInfo,
  type LeRobotTask,
} from './lerobot-format.js';
import { encodeLeRobotEpisodeParquet } from './lerobot-parquet.js';
import {
  addToChannelHistograms,
  columnStats,
  emptyChannelHistograms,
  type FeatureStats,
  featureStatsToJson,
  imageChannelStats,
  type StatJson,
} from './lerobot-stats.js';
import { encodeMp4 } from './video-codec.js';

/** Options for {@link writeLeRobotDataset}. */
export interface LeRobotWriteOptions {
  /** `robot_type` in info.json, e.g. `'widowx'`, `'unitree_g1'`. */
  readonly robotType: string;
  /** Frame rate; every episode's `fps` must equal it (default: the episodes' common fps). */
  readonly fps?: number;
  /** Replace an existing non-empty directory (default false: refuse). */
  readonly overwrite?: boolean;
  /** `names` of the `action` feature, one per dimension (default null). */
  readonly actionNames?: readonly string[];
  /** `names` of the `observation.state` feature, one per dimension (default null). */
  readonly stateNames?: readonly string[];
  /** `names` of the `observation.environment_state` feature, one per dimension (default null). */
  readonly environmentStateNames?: readonly string[];
  /** Episodes per `data/chunk-XXX` folder (default {@link LEROBOT_CHUNKS_SIZE}). */
  readonly chunksSize?: number;
  /**
   * How camera frames are stored: `png` (default) as PNG bytes in the parquet files (dtype `image`,
   * lossless), or `mp4` as one H.264 video per camera and episode under `videos/` (dtype `video`),
   * LeRobot's own default layout.
   */
  readonly frames?: 'png' | 'mp4';
}

/** What {@link writeLeRobotDataset} wrote. */
export interface LeRobotWriteResult {
  readonly root: string;
  readonly info: LeRobotInfo;
  readonly tasks: readonly LeRobotTask[];
}

/** The per-feature statistics `meta/stats.json` holds. */
export type LeRobotStats = Record<string, FeatureStats>;

interface DatasetPlan {
  readonly fps: number;
  readonly actionDim: number;
  readonly stateDim: number | undefined;
  readonly environmentStateDim: number | undefined;
  readonly cameras: readonly { readonly name: string; readonly width: number; readonly height: number }[];
  readonly tasks: readonly string[];
}

/**
 * Writes `episodes` as a LeRobot v2.1 dataset at `dir`:
 * `data/chunk-000/episode_000000.parquet` … (see {@link encodeLeRobotEpisodeParquet}), `meta/info.json`,
 * `meta/episodes.jsonl`, `meta/tasks.jsonl`, `meta/episodes_stats.jsonl` (v2.1's per-episode stats:
 * min/max/mean/std/count) and `meta/stats.json` (the same over all frames, plus q01/q99).
 * Episodes are renumbered 0..N-1 in array order; tasks are the distinct instructions in order of first use.
 * `environmentStates` become the `observation.environment_state` feature; like `states`, all episodes carry
 * them with one width, or none does (then the files have no such column).
 *
 * Cameras are PNG bytes in the parquet file (dtype `image`) or, with `frames: 'mp4'`, H.264 videos at
 * `videos/chunk-000/observation.images.<camera>/episode_000000.mp4` (dtype `video`, key frame every 2
 * frames as LeRobot's `g=2`). Differences from LeRobot's own writer: its videos default to AV1, these are
 * H.264 (which LeRobot's decoders read too); image statistics are exact over every pixel of every
 * original frame instead of a subsample of decoded frames.
 *
 * Atomicity: everything is written into a sibling `<dir>.tmp-<pid>-<random>` directory that is renamed
 * to `dir` at the end, so readers never see a half-written dataset. With `overwrite`, the old directory
 * is first renamed aside and deleted after the swap (a short window exists where `dir` is absent).
 * An existing non-empty `dir` is refused without `overwrite: true`.
 */
export async function writeLeRobotDataset(
  dir: string,
  episodes: readonly RobotEpisode[],
  options: LeRobotWriteOptions,
): Promise<LeRobotWriteResult> {
  const root = resolve(dir);
  const plan = planDataset(episodes, options);
  const chunksSize = options.chunksSize ?? LEROBOT_CHUNKS_SIZE;
  if (!Number.isInteger(chunksSize) || chunksSize < 1)
    throw new DatasetError(`writeLeRobotDataset: chunksSize must be an integer >= 1, got ${chunksSize}`);
  const existing = await directoryState(root);
  if (existing === 'non-empty' && !options.overwrite) {
    throw new DatasetError(`${root}: exists and is not empty; pass overwrite: true to replace it`);
  }

  const frames = options.frames ?? 'png';
  if (frames !== 'png' && frames !== 'mp4')
    throw new DatasetError(`writeLeRobotDataset: frames must be 'png' or 'mp4', got ${String(frames)}`);
  const totalFrames = episodes.reduce((sum, episode) => sum + episode.length, 0);
  const info = buildInfo(plan, options, episodes.length, totalFrames, chunksSize, frames);
  const tasks = plan.tasks.map((task, taskIndex): LeRobotTask => ({ task_index: taskIndex, task }));
  const taskIndexOf = new Map(plan.tasks.map((task, taskIndex) => [task, taskIndex]));

  await mkdir(dirname(root), { recursive: true });
  const staging = `${root}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    await mkdir(join(staging, 'meta'), { recursive: true });
    const episodeLines: string[] = [];
    const episodeStatsLines: string[] = [];
    let firstFrame = 0;
    for (const [episodeIndex, episode] of episodes.entries()) {
      const taskIndex = taskIndexOf.get(episode.instruction)!;
      const file = join(staging, episodeDataPath(info, episodeIndex));
      await mkdir(dirname(file), { recursive: true });
      if (frames === 'mp4') {
        for (const { name } of plan.cameras) {
          const key = `${LEROBOT_IMAGE_PREFIX}${name}`;
          const video = join(staging, episodeVideoPath(info, key, episodeIndex));
          await mkdir(dirname(video), { recursive: true });
          const mp4 = await encodeMp4(
            episode.images![name],
            { fps: plan.fps },
            `episode ${episodeIndex}: ${key}`,
          );
          await writeFile(video, mp4);
        }
      }
      // With videos, the parquet file holds no image column (LeRobot's layout).
      const { images: _images, ...withoutImages } = episode;
      const parquet = encodeLeRobotEpisodeParquet(frames === 'mp4' ? withoutImages : episode, {
        episodeIndex,
        firstFrame,
        taskIndex,
        fps: plan.fps,
      });
      await writeFile(file, new Uint8Array(parquet));
      const meta: LeRobotEpisodeMeta = {
        episode_index: episodeIndex,
        tasks: [episode.instruction],
        length: episode.length,
      };
      episodeLines.push(JSON.stringify(meta));
      const stats = computeLeRobotStats([episode], plan, firstFrame, [episodeIndex], [taskIndex]);
      episodeStatsLines.push(
        JSON.stringify({ episode_index: episodeIndex, stats: statsToJson(stats, false) }),
      );
      firstFrame += episode.length;
    }
    const allStats = computeLeRobotStats(
      episodes,
      plan,
      0,
      episodes.map((_, i) => i),
      episodes.map((episode) => taskIndexOf.get(episode.instruction)!),
    );
    await writeFile(join(staging, 'meta', 'info.json'), `${JSON.stringify(info, null, 4)}\n`);
    await writeFile(join(staging, 'meta', 'episodes.jsonl'), jsonLines(episodeLines));
    await writeFile(
      join(staging, 'meta', 'tasks.jsonl'),
      jsonLines(tasks.map((task) => JSON.stringify(task))),
    );
    await writeFile(join(staging, 'meta', 'episodes_stats.jsonl'), jsonLines(episodeStatsLines));
    await writeFile(
      join(staging, 'meta', 'stats.json'),
      `${JSON.stringify(statsToJson(allStats, true), null, 4)}\n`,
    );
    await swapIntoPlace(staging, root, existing);
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    throw error;
  }
  return { root, info, tasks };
}

/**
 * LeRobot statistics of every numeric feature over the frames of `episodes` (laid out as the writer
 * numbers them: global frame index from `firstFrame`, the given episode and task indices).
 * Vectors: per dimension over frames. Images: per channel over all pixels, on the [0, 1] scale.
 */
function computeLeRobotStats(
  episodes: readonly RobotEpisode[],
  plan: DatasetPlan,
  firstFrame: number,
  episodeIndices: readonly number[],
  taskIndices: readonly number[],
): LeRobotStats {
  const frames = episodes.reduce((sum, episode) => sum + episode.length, 0);
  const stats: LeRobotStats = {};
  if (plan.stateDim !== undefined) {
    stats[LEROBOT_STATE_KEY] = columnStats(concat(episodes.map((e) => e.states!)), frames, plan.stateDim);
  }
  if (plan.environmentStateDim !== undefined) {
    stats[LEROBOT_ENVIRONMENT_STATE_KEY] = columnStats(
      concat(episodes.map((e) => e.environmentStates!)),
      frames,
      plan.environmentStateDim,
    );
  }
  stats[LEROBOT_ACTION_KEY] = columnStats(concat(episodes.map((e) => e.actions)), frames, plan.actionDim);
  for (const { name } of plan.cameras) {
    const histograms = emptyChannelHistograms();
    for (const episode of episodes) addToChannelHistograms(histograms, episode.images![name]);
    stats[`${LEROBOT_IMAGE_PREFIX}${name}`] = imageChannelStats(histograms);
  }
  const timestamp = new Float32Array(frames);
  const frameIndex = new Float64Array(frames);
  const episodeIndex = new Float64Array(frames);
  const index = new Float64Array(frames);
  const taskIndex = new Float64Array(frames);
  let row = 0;
  episodes.forEach((episode, e) => {
    for (let t = 0; t < episode.length; t++, row++) {
      timestamp[row] = episode.timestamps ? episode.timestamps[t] : t / plan.fps;
      frameIndex[row] = t;
      episodeIndex[row] = episodeIndices[e];
      index[row] = firstFrame + row;
      taskIndex[row] = taskIndices[e];
    }
  });
  stats.timestamp = columnStats(timestamp, frames, 1);
  stats.frame_index = columnStats(frameIndex, frames, 1);
  stats.episode_index = columnStats(episodeIndex, frames, 1);
  stats.index = columnStats(index, frames, 1);
  stats.task_index = columnStats(taskIndex, frames, 1);
  return stats;
}

function statsToJson(stats: LeRobotStats, withQuantiles: boolean): Record<string, Record<string, StatJson>> {
  const out: Record<string, Record<string, StatJson>> = {};
  for (const [key, value] of Object.entries(stats)) {
    out[key] = featureStatsToJson(value, key.startsWith(LEROBOT_IMAGE_PREFIX), withQuantiles);
  }
  return out;
}

function planDataset(episodes: readonly RobotEpisode[], options: LeRobotWriteOptions): DatasetPlan {
  if (episodes.length === 0) throw new DatasetError('writeLeRobotDataset: no episodes');
  const first = episodes[0];
  const fps = options.fps ?? first.fps;
  const cameras = Object.keys(first.images ?? {})
    .sort()
    .map((name) => {
      const frame = first.images![name][0];
      if (frame === undefined) throw new DatasetError(`episode 0: images/${name} has no frames`);
      return { name, width: frame.width, height: frame.height };
    });
  const tasks: string[] = [];
  episodes.forEach((episode, i) => {
    const where = `episode ${i}`;
    if (episode.length === 0) throw new DatasetError(`${where}: has no frames`);
    assertEpisodeShape(episode, where);
    if (episode.fps !== fps)
      throw new DatasetError(`${where}: fps ${episode.fps} differs from the dataset fps ${fps}`);
    if (episode.actionDim !== first.actionDim) {
      throw new DatasetError(
        `${where}: action: expected float32 [${first.actionDim}], got [${episode.actionDim}]`,
      );
    }
    if (episode.stateDim !== first.stateDim) {
      throw new DatasetError(
        `${where}: observation.state: expected [${first.stateDim ?? 'none'}], got [${episode.stateDim ?? 'none'}]`,
      );
    }
    // Every parquet file of a dataset has the same columns: all episodes carry it, or none.
    if (episode.environmentStateDim !== first.environmentStateDim) {
      throw new DatasetError(
        `${where}: ${LEROBOT_ENVIRONMENT_STATE_KEY}: expected [${first.environmentStateDim ?? 'none'}], got [${episode.environmentStateDim ?? 'none'}]`,
      );
    }
    const names = Object.keys(episode.images ?? {}).sort();
    if (names.join(',') !== cameras.map((c) => c.name).join(',')) {
      throw new DatasetError(
        `${where}: cameras [${names.join(', ')}] differ from episode 0's [${cameras.map((c) => c.name).join(', ')}]`,
      );
    }
    for (const camera of cameras) {
      const frame = episode.images![camera.name][0];
      if (frame.width !== camera.width || frame.height !== camera.height) {
        throw new DatasetError(
          `${where}: images/${camera.name}: expected ${camera.width}x${camera.height}, got ${frame.width}x${frame.height}`,
        );
      }
    }
    if (!tasks.includes(episode.instruction)) tasks.push(episode.instruction);
  });
  checkNames('actionNames', options.actionNames, first.actionDim);
  checkNames('stateNames', options.stateNames, first.stateDim);
  checkNames('environmentStateNames', options.environmentStateNames, first.environmentStateDim);
  return {
    fps,
    actionDim: first.actionDim,
    stateDim: first.stateDim,
    environmentStateDim: first.environmentStateDim,
    cameras,
    tasks,
  };
}

function checkNames(what: string, names: readonly string[] | undefined, dim: number | undefined): void {
  if (names === undefined) return;
  if (dim === undefined) throw new DatasetError(`${what} given but the episodes have no such feature`);
  if (names.length !== dim) throw new DatasetError(`${what}: expected ${dim} names, got ${names.length}`);
}

function buildInfo(
  plan: DatasetPlan,
  options: LeRobotWriteOptions,
  totalEpisodes: number,
  totalFrames: number,
  chunksSize: number,
  frames: 'png' | 'mp4',
): LeRobotInfo {
  const features: Record<string, LeRobotFeature> = {};
  if (plan.stateDim !== undefined) {
    features[LEROBOT_STATE_KEY] = {
      dtype: 'float32',
      shape: [plan.stateDim],
      names: options.stateNames ?? null,
    };
  }
  if (plan.environmentStateDim !== undefined) {
    features[LEROBOT_ENVIRONMENT_STATE_KEY] = {
      dtype: 'float32',
      shape: [plan.environmentStateDim],
      names: options.environmentStateNames ?? null,
    };
  }
  features[LEROBOT_ACTION_KEY] = {
    dtype: 'float32',
    shape: [plan.actionDim],
    names: options.actionNames ?? null,
  };
  for (const { name, width, height } of plan.cameras) {
    features[`${LEROBOT_IMAGE_PREFIX}${name}`] =
      frames === 'png'
        ? { dtype: 'image', shape: [height, width, 3], names: ['height', 'width', 'channel'] }
        : {
            dtype: 'video',
            shape: [height, width, 3],
            names: ['height', 'width', 'channels'],
            info: {
              'video.height': height,
              'video.width': width,
              'video.codec': 'h264',
              'video.pix_fmt': 'yuv420p',
              'video.is_depth_map': false,
              'video.fps': plan.fps,
              'video.channels': 3,
              has_audio: false,
            },
          };
  }
  features.timestamp = { dtype: 'float32', shape: [1], names: null };
  for (const key of ['frame_index', 'episode_index', 'index', 'task_index']) {
    features[key] = { dtype: 'int64', shape: [1], names: null };
  }
  return {
    codebase_version: LEROBOT_CODEBASE_VERSION,
    robot_type: options.robotType,
    total_episodes: totalEpisodes,
    total_frames: totalFrames,
    total_tasks: plan.tasks.length,
    total_videos: frames === 'mp4' ? totalEpisodes * plan.cameras.length : 0,
    total_chunks: Math.ceil(totalEpisodes / chunksSize),
    chunks_size: chunksSize,
    fps: plan.fps,
    splits: { train: `0:${totalEpisodes}` },
    data_path: LEROBOT_DATA_PATH,
    video_path: frames === 'mp4' && plan.cameras.length > 0 ? LEROBOT_VIDEO_PATH : null,
    features,
  };
}

function concat(parts: readonly Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

function jsonLines(lines: readonly string[]): string {
  return lines.map((line) => `${line}\n`).join('');
}

type DirectoryState = 'absent' | 'empty' | 'non-empty';

async function directoryState(path: string): Promise<DirectoryState> {
  let info: Awaited<ReturnType<typeof stat>>;
  try {
    info = await stat(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'absent';
    throw error;
  }
  if (!info.isDirectory()) throw new DatasetError(`${path}: exists and is not a directory`);
  return (await readdir(path)).length === 0 ? 'empty' : 'non-empty';
}

async function swapIntoPlace(staging: string, root: string, existing: DirectoryState): Promise<void> {
  if (existing === 'absent') {
    await rename(staging, root);
    return;
  }
  const aside = join(dirname(root), `${basename(root)}.old-${process.pid}-${randomBytes(4).toString('hex')}`);
  await rename(root, aside);
  try {
    await rename(staging, root);
  } catch (error) {
    await rename(aside, root);
    throw error;
  }
  await rm(aside, { recursive: true, force: true });
}
