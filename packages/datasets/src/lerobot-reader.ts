import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parquetReadObjects } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import { assertEpisodeShape, type RobotEpisode } from './episode.js';
import { DatasetError } from './errors.js';
import { decodeImageRgb } from './image-codec.js';
import {
  episodeDataPath,
  episodeVideoPath,
  LEROBOT_ACTION_KEY,
  LEROBOT_ENVIRONMENT_STATE_KEY,
  LEROBOT_IMAGE_PREFIX,
  LEROBOT_STATE_KEY,
  type LeRobotEpisodeMeta,
  type LeRobotInfo,
  type LeRobotTask,
} from './lerobot-format.js';
import type { RgbImage } from './rgb-image.js';
import { decodeMp4 } from './video-codec.js';

/** The columns of one LeRobot episode parquet file, decoded. */
export interface LeRobotEpisodeTable {
  readonly file: string;
  readonly rows: number;
  /** Every column name in the file, in file order. */
  readonly columns: readonly string[];
  /** The action column, row-major `[rows, actionDim]`. */
  readonly actions: Float32Array;
  readonly actionDim: number;
  /** The state column, row-major `[rows, stateDim]`, when the file has one. */
  readonly states?: Float32Array;
  readonly stateDim?: number;
  /** The `observation.environment_state` column, row-major `[rows, environmentStateDim]`, when the file has one. */
  readonly environmentStates?: Float32Array;
  readonly environmentStateDim?: number;
  readonly timestamps?: Float32Array;
  readonly frameIndex?: readonly number[];
  readonly episodeIndex?: readonly number[];
  readonly index?: readonly number[];
  readonly taskIndex?: readonly number[];
  /** Image columns (Hugging Face `Image` structs with PNG or JPEG bytes), by full column name. */
  readonly images: Readonly<Record<string, readonly RgbImage[]>>;
}

/** Options for {@link readLeRobotEpisodeTable}. */
export interface LeRobotTableOptions {
  /** Column holding the action (default `action`). */
  readonly actionKey?: string;
  /** Column holding the state (default `observation.state`; absent column → no states). */
  readonly stateKey?: string;
  /** Decode image columns (default true). */
  readonly decodeImages?: boolean;
}

/** Reads one LeRobot v2.x episode parquet file (any codec hyparquet-compressors handles). */
export async function readLeRobotEpisodeTable(
  file: string,
  options: LeRobotTableOptions = {},
): Promise<LeRobotEpisodeTable> {
  const actionKey = options.actionKey ?? LEROBOT_ACTION_KEY;
  const stateKey = options.stateKey ?? LEROBOT_STATE_KEY;
  const buffer = await readFile(file);
  const arrayBuffer = buffer.buffer.slice(
    buffer.byteOffset,
    buffer.byteOffset + buffer.byteLength,
  ) as ArrayBuffer;
  let rows: Record<string, unknown>[];
  try {
    rows = await parquetReadObjects({ file: arrayBuffer, compressors, utf8: false });
  } catch (error) {
    throw new DatasetError(`${file}: cannot read parquet: ${(error as Error).message}`);
  }
  if (rows.length === 0) throw new DatasetError(`${file}: no rows`);
  const columns = Object.keys(rows[0]);
  if (!columns.includes(actionKey))
    throw new DatasetError(`${file}: no ${actionKey} column (have: ${columns.join(', ')})`);
  const action = listColumn(rows, actionKey, file);
  const state = columns.includes(stateKey) ? listColumn(rows, stateKey, file) : undefined;
  const environment = columns.includes(LEROBOT_ENVIRONMENT_STATE_KEY)
    ? listColumn(rows, LEROBOT_ENVIRONMENT_STATE_KEY, file)
    : undefined;

  const images: Record<string, RgbImage[]> = {};
  if (options.decodeImages ?? true) {
    for (const name of columns) {
      if (!isImageStruct(rows[0][name])) continue;
      images[name] = rows.map((row, r) => {
        const cell = row[name];
        if (!isImageStruct(cell))
          throw new DatasetError(`${file}: row ${r}: ${name}: expected {bytes, path} image struct`);
        return decodeImageRgb(cell.bytes, `${file}: row ${r}: ${name}`);
      });
    }
  }
  const ints = (name: string): readonly number[] | undefined =>
    columns.includes(name) ? intColumn(rows, name, file) : undefined;
  return {
    file,
    rows: rows.length,
    columns,
    actions: action.values,
    actionDim: action.dim,
    ...(state ? { states: state.values, stateDim: state.dim } : {}),
    ...(environment ? { environmentStates: environment.values, environmentStateDim: environment.dim } : {}),
    ...(columns.includes('timestamp') ? { timestamps: floatColumn(rows, 'timestamp', file) } : {}),
    ...optional('frameIndex', ints('frame_index')),
    ...optional('episodeIndex', ints('episode_index')),
    ...optional('index', ints('index')),
    ...optional('taskIndex', ints('task_index')),
    images,
  };
}

/** Options for {@link readLeRobotEpisodeFile}. */
export interface LeRobotEpisodeFileOptions extends LeRobotTableOptions {
  /** Frame rate (default: inferred from the `timestamp` column; required without one). */
  readonly fps?: number;
  /** Instruction to attach (a lone parquet file holds only `task_index`; default ''). */
  readonly instruction?: string;
}

/**
 * Reads one LeRobot episode parquet file into a {@link RobotEpisode}. Image columns named
 * `observation.images.<camera>` become `images[<camera>]`; other image columns keep their full name.
 */
export async function readLeRobotEpisodeFile(
  file: string,
  options: LeRobotEpisodeFileOptions = {},
): Promise<RobotEpisode> {
  const table = await readLeRobotEpisodeTable(file, options);
  const fps = options.fps ?? inferFps(table);
  return episodeFromTable(table, fps, options.instruction ?? '', table.episodeIndex?.[0] ?? 0);
}

/** A LeRobot v2.x dataset directory, read. */
export interface LeRobotDataset {
  readonly root: string;
  readonly info: LeRobotInfo;
  readonly tasks: readonly LeRobotTask[];
  readonly episodeMeta: readonly LeRobotEpisodeMeta[];
  readonly episodes: readonly RobotEpisode[];
  /** `video`-dtype features present in info.json but not decoded (all of them with `decodeImages: false`). */
  readonly skippedVideoKeys: readonly string[];
}

/** Options for {@link readLeRobotDataset}. */
export interface LeRobotDatasetReadOptions {
  /** Episode indices to read (default: all in episodes.jsonl). */
  readonly episodes?: readonly number[];
  /** Decode `image` features and the MP4 files of `video` features (default true). */
  readonly decodeImages?: boolean;
}

/**
 * Reads a LeRobot v2.0/v2.1 dataset directory: `meta/info.json`, `meta/episodes.jsonl`,
 * `meta/tasks.jsonl`, each episode's parquet file at `data_path` and, for `video` features, its MP4 files
 * at `video_path` (decoded to RGB frames; the first `length` frames are the episode's). An episode's
 * instruction is its first task in episodes.jsonl (else its `task_index` looked up in tasks.jsonl).
 */
export async function readLeRobotDataset(
  dir: string,
  options: LeRobotDatasetReadOptions = {},
): Promise<LeRobotDataset> {
  const root = resolve(dir);
  const info = await readLeRobotInfo(root);
  const tasks = await readJsonLines<LeRobotTask>(join(root, 'meta', 'tasks.jsonl'));
  const episodeMeta = await readJsonLines<LeRobotEpisodeMeta>(join(root, 'meta', 'episodes.jsonl'));
  const metaByIndex = new Map(episodeMeta.map((meta) => [meta.episode_index, meta]));
  const taskByIndex = new Map(tasks.map((task) => [task.task_index, task.task]));
  const wanted = options.episodes ?? episodeMeta.map((meta) => meta.episode_index);
  const decode = options.decodeImages ?? true;
  const videoKeys = Object.entries(info.features)
    .filter(([, feature]) => feature.dtype === 'video')
    .map(([key]) => key);
  const episodes: RobotEpisode[] = [];
  for (const episodeIndex of wanted) {
    const meta = metaByIndex.get(episodeIndex);
    if (meta === undefined)
      throw new DatasetError(`${root}: episode ${episodeIndex} is not in meta/episodes.jsonl`);
    const file = join(root, episodeDataPath(info, episodeIndex));
    const read = await readLeRobotEpisodeTable(file, { decodeImages: decode });
    if (read.rows !== meta.length) {
      throw new DatasetError(
        `${file}: ${read.rows} rows, but meta/episodes.jsonl says length ${meta.length}`,
      );
    }
    const table = decode ? await withVideoFrames(root, info, read, videoKeys, episodeIndex) : read;
    const instruction = meta.tasks[0] ?? taskByIndex.get(table.taskIndex?.[0] ?? -1) ?? '';
    episodes.push(episodeFromTable(table, info.fps, instruction, episodeIndex));
  }
  const skippedVideoKeys = decode ? [] : videoKeys;
  return { root, info, tasks, episodeMeta, episodes, skippedVideoKeys };
}

/** The table with each `video` feature's frames decoded from its MP4 file, as if it were an image column. */
async function withVideoFrames(
  root: string,
  info: LeRobotInfo,
  table: LeRobotEpisodeTable,
  videoKeys: readonly string[],
  episodeIndex: number,
): Promise<LeRobotEpisodeTable> {
  if (videoKeys.length === 0) return table;
  const images: Record<string, readonly RgbImage[]> = { ...table.images };
  for (const key of videoKeys) {
    const path = join(root, episodeVideoPath(info, key, episodeIndex));
    let bytes: Uint8Array;
    try {
      bytes = new Uint8Array(await readFile(path));
    } catch (error) {
      throw new DatasetError(`${path}: cannot read the video of ${key}: ${(error as Error).message}`);
    }
    const { frames } = await decodeMp4(bytes, path);
    if (frames.length < table.rows)
      throw new DatasetError(`${path}: ${frames.length} frames, but the episode has ${table.rows}`);
    images[key] = frames.slice(0, table.rows);
  }
  return { ...table, images };
}

/** Reads and sanity-checks `meta/info.json` (LeRobot v2.x only; v3 packs many episodes per file). */
export async function readLeRobotInfo(root: string): Promise<LeRobotInfo> {
  const path = join(root, 'meta', 'info.json');
  const info = JSON.parse(await readFile(path, 'utf8')) as LeRobotInfo;
  if (typeof info.codebase_version !== 'string' || !info.codebase_version.startsWith('v2.')) {
    throw new DatasetError(
      `${path}: codebase_version ${String(info.codebase_version)} not supported (v2.0/v2.1 only)`,
    );
  }
  for (const key of ['fps', 'chunks_size', 'total_episodes'] as const) {
    if (typeof info[key] !== 'number')
      throw new DatasetError(`${path}: ${key} must be a number, got ${String(info[key])}`);
  }
  if (typeof info.data_path !== 'string') throw new DatasetError(`${path}: data_path missing`);
  return info;
}

async function readJsonLines<T>(path: string): Promise<T[]> {
  const text = await readFile(path, 'utf8');
  return text
    .split('\n')
    .map((line, i) => [line.trim(), i] as const)
    .filter(([line]) => line.length > 0)
    .map(([line, i]) => {
      try {
        return JSON.parse(line) as T;
      } catch (error) {
        throw new DatasetError(`${path}: line ${i + 1}: ${(error as Error).message}`);
      }
    });
}

function episodeFromTable(
  table: LeRobotEpisodeTable,
  fps: number,
  instruction: string,
  index: number,
): RobotEpisode {
  if (table.frameIndex !== undefined) {
    table.frameIndex.forEach((frame, t) => {
      if (frame !== t) throw new DatasetError(`${table.file}: row ${t}: frame_index ${frame}, expected ${t}`);
    });
  }
  const images: Record<string, readonly RgbImage[]> = {};
  for (const [column, frames] of Object.entries(table.images)) {
    images[column.startsWith(LEROBOT_IMAGE_PREFIX) ? column.slice(LEROBOT_IMAGE_PREFIX.length) : column] =
      frames;
  }
  const episode: RobotEpisode = {
    index,
    instruction,
    fps,
    length: table.rows,
    actions: table.actions,
    actionDim: table.actionDim,
    ...(table.states !== undefined && table.stateDim !== undefined
      ? { states: table.states, stateDim: table.stateDim }
      : {}),
    ...(table.environmentStates !== undefined && table.environmentStateDim !== undefined
      ? { environmentStates: table.environmentStates, environmentStateDim: table.environmentStateDim }
      : {}),
    ...(table.timestamps !== undefined ? { timestamps: table.timestamps } : {}),
    ...(Object.keys(images).length > 0 ? { images } : {}),
  };
  assertEpisodeShape(episode, table.file);
  return episode;
}

/** Frames per second from the timestamp span, snapped to an integer when within 0.1 % of one. */
function inferFps(table: LeRobotEpisodeTable): number {
  const ts = table.timestamps;
  if (ts === undefined || ts.length < 2 || ts[ts.length - 1] <= ts[0]) {
    throw new DatasetError(
      `${table.file}: cannot infer fps without an increasing timestamp column; pass options.fps`,
    );
  }
  const fps = (ts.length - 1) / (ts[ts.length - 1] - ts[0]);
  const rounded = Math.round(fps);
  return Math.abs(fps - rounded) <= 1e-3 * fps ? rounded : fps;
}

function listColumn(
  rows: readonly Record<string, unknown>[],
  name: string,
  file: string,
): { values: Float32Array; dim: number } {
  const first = rows[0]?.[name];
  const dim = isNumberList(first) ? first.length : 0;
  if (dim === 0) throw new DatasetError(`${file}: row 0: ${name}: expected a non-empty list of numbers`);
  const values = new Float32Array(rows.length * dim);
  rows.forEach((row, r) => {
    const cell = row[name];
    if (!isNumberList(cell) || cell.length !== dim) {
      throw new DatasetError(
        `${file}: row ${r}: ${name}: expected ${dim} numbers, got ${describeCell(cell)}`,
      );
    }
    for (let d = 0; d < dim; d++) values[r * dim + d] = Number(cell[d]);
  });
  return { values, dim };
}

function floatColumn(rows: readonly Record<string, unknown>[], name: string, file: string): Float32Array {
  return Float32Array.from(rows, (row, r) => {
    const cell = row[name];
    if (typeof cell !== 'number')
      throw new DatasetError(`${file}: row ${r}: ${name}: expected a number, got ${describeCell(cell)}`);
    return cell;
  });
}

function intColumn(rows: readonly Record<string, unknown>[], name: string, file: string): number[] {
  return rows.map((row, r) => {
    const cell = row[name];
    const value = typeof cell === 'bigint' ? Number(cell) : cell;
    if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
      throw new DatasetError(`${file}: row ${r}: ${name}: expected an integer, got ${describeCell(cell)}`);
    }
    return value;
  });
}

function isNumberList(value: unknown): value is ArrayLike<number> {
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) return true;
  return Array.isArray(value) && value.every((x) => typeof x === 'number');
}

function isImageStruct(value: unknown): value is { bytes: Uint8Array; path?: string } {
  return (
    typeof value === 'object' && value !== null && (value as { bytes?: unknown }).bytes instanceof Uint8Array
  );
}

function describeCell(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (Array.isArray(value)) return `a list of ${value.length}`;
  return typeof value;
}

function optional<K extends string, V>(key: K, value: V | undefined): Partial<Record<K, V>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, V>);
}
