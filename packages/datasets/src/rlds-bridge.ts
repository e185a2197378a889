import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { assertEpisodeShape, type RobotEpisode } from './episode.js';
import { DatasetError } from './errors.js';
import { decodeImageRgb } from './image-codec.js';
import type { RgbImage } from './rgb-image.js';
import { decodeTfExample, requireFeature, type TfExample } from './tf-example.js';
import { readTfRecordFile } from './tfrecord.js';

/** BridgeData V2 is recorded at 5 Hz. */
export const BRIDGE_FPS = 5;

/** Options for {@link readBridgeEpisodes}. */
export interface BridgeReadOptions {
  /** Width of one action (default 7: dx, dy, dz, droll, dpitch, dyaw, gripper). */
  readonly actionDim?: number;
  /** Control frequency stamped on the episodes (default {@link BRIDGE_FPS}). */
  readonly fps?: number;
  /** Camera names to decode, e.g. `['image_0']` (default: every `steps/observation/image*` feature present). */
  readonly cameras?: readonly string[];
  /** Decode images at all (default true). */
  readonly decodeImages?: boolean;
  /** Verify TFRecord CRCs (default true). */
  readonly verifyCrc?: boolean;
}

const STEP_PREFIX = 'steps/';
const OBSERVATION_PREFIX = 'steps/observation/';

/**
 * Reads BridgeData V2 episodes stored as RLDS `tf.train.Example` records, one episode per record, with
 * the step sequence flattened into keys such as `steps/action` (float, T×7), `steps/observation/state`
 * (float, T×stateDim), `steps/observation/image_0` (T JPEG byte strings) and
 * `steps/language_instruction` (T byte strings). `input` is a directory (every file whose name contains
 * `.tfrecord`, sorted by name) or an explicit file list read in order. Episodes are numbered in read order.
 */
export async function readBridgeEpisodes(
  input: string | readonly string[],
  options: BridgeReadOptions = {},
): Promise<RobotEpisode[]> {
  const files = typeof input === 'string' ? await tfrecordFilesOf(input) : input;
  const episodes: RobotEpisode[] = [];
  for (const file of files) {
    const records = await readTfRecordFile(file, { verifyCrc: options.verifyCrc ?? true });
    records.forEach((record, recordNumber) => {
      const where = `${file}: record ${recordNumber} at byte offset ${record.offset}`;
      const example = decodeTfExample(record.data, where);
      episodes.push(bridgeEpisodeFromExample(example, episodes.length, where, options));
    });
  }
  return episodes;
}

/** Converts one decoded Bridge RLDS Example into a {@link RobotEpisode}. */
export function bridgeEpisodeFromExample(
  example: TfExample,
  index: number,
  where: string,
  options: BridgeReadOptions = {},
): RobotEpisode {
  const actionDim = options.actionDim ?? 7;
  const actions = requireFeature(example, 'steps/action', 'float', where).value;
  const length = stepCount(example, actions.length, actionDim, where);

  let states: Float32Array | undefined;
  let stateDim: number | undefined;
  const stateFeature = example.get(`${OBSERVATION_PREFIX}state`);
  if (stateFeature !== undefined && length > 0) {
    if (stateFeature.kind !== 'float' || stateFeature.value.length % length !== 0) {
      throw new DatasetError(
        `${where}: steps/observation/state: expected float [${length}, d], got ${describe(stateFeature)}`,
      );
    }
    states = stateFeature.value;
    stateDim = states.length / length;
  }

  const episode: RobotEpisode = {
    index,
    instruction: instructionOf(example, where),
    fps: options.fps ?? BRIDGE_FPS,
    length,
    actions,
    actionDim,
    ...(states !== undefined && stateDim !== undefined ? { states, stateDim } : {}),
    ...(options.decodeImages === false ? {} : { images: imagesOf(example, length, where, options.cameras) }),
  };
  assertEpisodeShape(episode, where);
  return episode;
}

async function tfrecordFilesOf(dir: string): Promise<string[]> {
  const info = await stat(dir);
  if (!info.isDirectory()) return [dir];
  const names = (await readdir(dir)).filter((name) => name.includes('.tfrecord')).sort();
  if (names.length === 0) throw new DatasetError(`${dir}: no *.tfrecord* files`);
  return names.map((name) => join(dir, name));
}

/** T from a per-step scalar feature when present, cross-checked against the action count. */
function stepCount(example: TfExample, actionValues: number, actionDim: number, where: string): number {
  if (actionValues % actionDim !== 0) {
    throw new DatasetError(
      `${where}: steps/action: ${actionValues} floats is not a multiple of actionDim ${actionDim}`,
    );
  }
  const fromActions = actionValues / actionDim;
  for (const key of ['steps/is_first', 'steps/is_last', 'steps/reward', 'steps/discount']) {
    const feature = example.get(key);
    if (feature === undefined) continue;
    if (feature.value.length !== fromActions) {
      throw new DatasetError(
        `${where}: ${key} has ${feature.value.length} steps but steps/action has ${fromActions} rows of ${actionDim}`,
      );
    }
    break;
  }
  return fromActions;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The first non-empty per-step instruction (they repeat the same string every step). */
function instructionOf(example: TfExample, where: string): string {
  const feature = example.get(`${STEP_PREFIX}language_instruction`);
  if (feature === undefined) return '';
  if (feature.kind !== 'bytes')
    throw new DatasetError(
      `${where}: steps/language_instruction: expected bytes_list, got ${feature.kind}_list`,
    );
  for (const bytes of feature.value) {
    const text = utf8.decode(bytes).trim();
    if (text.length > 0) return text;
  }
  return '';
}

function imagesOf(
  example: TfExample,
  length: number,
  where: string,
  cameras: readonly string[] | undefined,
): Record<string, RgbImage[]> {
  const available = [...example.keys()]
    .filter(
      (key) => key.startsWith(OBSERVATION_PREFIX) && key.slice(OBSERVATION_PREFIX.length).startsWith('image'),
    )
    .map((key) => key.slice(OBSERVATION_PREFIX.length))
    .sort();
  const wanted = cameras ?? available;
  const images: Record<string, RgbImage[]> = {};
  for (const camera of wanted) {
    const key = `${OBSERVATION_PREFIX}${camera}`;
    const frames = requireFeature(example, key, 'bytes', where).value;
    if (frames.length !== length)
      throw new DatasetError(`${where}: ${key}: expected ${length} frames, got ${frames.length}`);
    images[camera] = frames.map((bytes, t) => decodeImageRgb(bytes, `${where}: ${key} step ${t}`));
  }
  return images;
}

function describe(feature: { kind: string; value: { length: number } }): string {
  return `${feature.kind}_list of ${feature.value.length}`;
}
