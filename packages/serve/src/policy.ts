// The LIBERO-shaped policy interface: what a policy sees and returns. The server, the client and the
// adapters speak it; @roboalign/bench evaluates policies written against it.

/**
 * An RGB image, row-major `[height, width, 3]`, one byte per channel. `@roboalign/datasets` declares the
 * same shape for recorded frames; the two are structurally one type.
 */
export interface RgbImage {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8Array;
}

/**
 * What a policy sees at one control step, shaped like LIBERO's observation.
 * `state` is 8-D: end-effector position (3), orientation as axis-angle (3), the two finger positions (2).
 */
export interface Observation {
  readonly image: RgbImage;
  readonly wristImage: RgbImage;
  readonly state: Float64Array;
  readonly instruction: string;
  /**
   * Simulator only, never sent over the wire: where each object and fixture of the scene is, as robosuite's
   * `object-state` observable. For privileged-information controls (an oracle of perfect perception).
   */
  readonly objects?: readonly ObjectPosition[];
}

/** One object or fixture of a simulated scene: its name as instructions say it, and its world position (m). */
export interface ObjectPosition {
  readonly name: string;
  readonly position: readonly [number, number, number];
}

/**
 * A chunk of `horizon` 7-D actions, row-major `[horizon, 7]`:
 * position delta xyz, rotation delta as axis-angle, gripper (−1 open, +1 close), each in [−1, 1].
 */
export interface ActionChunk {
  readonly horizon: number;
  readonly actions: Float32Array;
}

/** Anything that maps an observation to a chunk of actions. */
export interface Policy {
  /** Called at the start of every episode (and every chain subtask) with its instruction. */
  reset?(instruction: string): void | Promise<void>;
  act(observation: Observation): ActionChunk | Promise<ActionChunk>;
  /** Releases sockets, sessions or workers. */
  close?(): void | Promise<void>;
}

/** The width of one action: xyz delta, axis-angle delta, gripper. */
export const ACTION_DIM = 7;
/** The width of the proprioceptive state. */
export const STATE_DIM = 8;
