/**
 * The dict keys openpi's LIBERO example exchanges with its policy server
 * (`examples/libero/main.py`): `observation/image` and `observation/wrist_image` (uint8 [h, w, 3]),
 * `observation/state` (float64 [8]: eef position, axis-angle, two finger positions), `prompt` (str);
 * the reply holds `actions` [horizon, 7].
 */

import { ServeError } from './errors.js';
import { NdArray } from './ndarray.js';
import { ACTION_DIM, type ActionChunk, type Observation, type RgbImage, STATE_DIM } from './policy.js';

/** The observation and reply keys of openpi's LIBERO example. */
export const LIBERO_KEYS = {
  image: 'observation/image',
  wristImage: 'observation/wrist_image',
  state: 'observation/state',
  prompt: 'prompt',
  actions: 'actions',
} as const;

/** Optional expectations `liberoToObservation` checks beyond the dtypes and ranks. */
export interface LiberoExpectations {
  /** Both images must be this size (openpi's LIBERO client resizes to 224×224). */
  readonly imageSize?: { readonly height: number; readonly width: number };
}

function describeValue(value: unknown): string {
  if (value instanceof NdArray) return value.describe();
  if (value === undefined) return 'nothing (key missing)';
  if (value === null) return 'None';
  if (value instanceof Uint8Array) return `bytes (${value.length})`;
  if (Array.isArray(value)) return `a list of ${value.length}`;
  return typeof value === 'string' ? 'a str' : `a ${typeof value}`;
}

/** The LIBERO observation dict of `observation` (arrays wrap the observation's buffers, no copy). */
export function observationToLibero(observation: Observation): Record<string, unknown> {
  if (observation.state.length !== STATE_DIM) {
    throw new ServeError(`observation.state: expected ${STATE_DIM} values, got ${observation.state.length}`);
  }
  return {
    [LIBERO_KEYS.image]: imageToNdArray(observation.image, LIBERO_KEYS.image),
    [LIBERO_KEYS.wristImage]: imageToNdArray(observation.wristImage, LIBERO_KEYS.wristImage),
    [LIBERO_KEYS.state]: NdArray.from(observation.state, [observation.state.length]),
    [LIBERO_KEYS.prompt]: observation.instruction,
  };
}

function imageToNdArray(image: RgbImage, key: string): NdArray<'uint8'> {
  if (image.data.length !== image.height * image.width * 3) {
    throw new ServeError(
      `${key}: image of ${image.height}×${image.width} needs ${image.height * image.width * 3} bytes, has ${image.data.length}`,
    );
  }
  return NdArray.from(image.data, [image.height, image.width, 3]);
}

function readImage(message: Record<string, unknown>, key: string, expect: LiberoExpectations): RgbImage {
  const value = message[key];
  const size = expect.imageSize;
  const expected = size ? `uint8 [${size.height}, ${size.width}, 3]` : 'uint8 [h, w, 3]';
  const ok =
    value instanceof NdArray &&
    value.dtype === 'uint8' &&
    value.shape.length === 3 &&
    value.shape[2] === 3 &&
    value.shape[0] > 0 &&
    value.shape[1] > 0 &&
    (!size || (value.shape[0] === size.height && value.shape[1] === size.width));
  if (!ok) throw new ServeError(`${key}: expected ${expected}, got ${describeValue(value)}`);
  const image = value as NdArray<'uint8'>;
  return { height: image.shape[0], width: image.shape[1], data: image.data };
}

function readState(message: Record<string, unknown>): Float64Array {
  const value = message[LIBERO_KEYS.state];
  const ok =
    value instanceof NdArray &&
    (value.dtype === 'float64' || value.dtype === 'float32') &&
    value.shape.length === 1 &&
    value.shape[0] === STATE_DIM;
  if (!ok) {
    throw new ServeError(
      `${LIBERO_KEYS.state}: expected float64 [${STATE_DIM}] (or float32), got ${describeValue(value)}`,
    );
  }
  const state = value as NdArray<'float64' | 'float32'>;
  return state.data instanceof Float64Array ? state.data : Float64Array.from(state.data);
}

/**
 * Reads a LIBERO observation dict into an `Observation`, checking each key's dtype and shape.
 * Errors name the key, the expected and the actual dtype/shape.
 */
export function liberoToObservation(
  message: Record<string, unknown>,
  expect: LiberoExpectations = {},
): Observation {
  const image = readImage(message, LIBERO_KEYS.image, expect);
  const wristImage = readImage(message, LIBERO_KEYS.wristImage, expect);
  const state = readState(message);
  const prompt = message[LIBERO_KEYS.prompt];
  if (typeof prompt !== 'string') {
    throw new ServeError(`${LIBERO_KEYS.prompt}: expected a str, got ${describeValue(prompt)}`);
  }
  return { image, wristImage, state, instruction: prompt };
}

/** Checks `chunk` (actions of length horizon × 7) and returns the reply dict `{actions: float32 [horizon, 7]}`. */
export function actionChunkToReply(chunk: ActionChunk): Record<string, unknown> {
  if (!Number.isInteger(chunk.horizon) || chunk.horizon < 1) {
    throw new ServeError(`policy.act: horizon must be a positive integer, got ${chunk.horizon}`);
  }
  if (!(chunk.actions instanceof Float32Array) || chunk.actions.length !== chunk.horizon * ACTION_DIM) {
    throw new ServeError(
      `policy.act: expected ${chunk.horizon * ACTION_DIM} float32 actions for horizon ${chunk.horizon}, got ${describeValue(chunk.actions)} of length ${chunk.actions?.length}`,
    );
  }
  return { [LIBERO_KEYS.actions]: NdArray.from(chunk.actions, [chunk.horizon, ACTION_DIM]) };
}

/** Reads `actions` (float32 or float64 [horizon, 7]) out of a server reply into an `ActionChunk`. */
export function replyToActionChunk(reply: Record<string, unknown>): ActionChunk {
  const value = reply[LIBERO_KEYS.actions];
  const ok =
    value instanceof NdArray &&
    (value.dtype === 'float32' || value.dtype === 'float64') &&
    value.shape.length === 2 &&
    value.shape[0] >= 1 &&
    value.shape[1] === ACTION_DIM;
  if (!ok) {
    throw new ServeError(
      `${LIBERO_KEYS.actions}: expected float32 [horizon, ${ACTION_DIM}] (or float64), got ${describeValue(value)}`,
    );
  }
  const actions = value as NdArray<'float32' | 'float64'>;
  return {
    horizon: actions.shape[0],
    actions: actions.data instanceof Float32Array ? actions.data : Float32Array.from(actions.data),
  };
}
