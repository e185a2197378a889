import { GEOMETRY } from '@roboalign/bench';

/**
 * The robot state as prompt text, as pi0-FAST writes it (openpi `tokenizer.py`: the normalized state cut into
 * 256 bins over [−1, 1], written as integers after `State:`). Here the bins span each value's physical range
 * instead of a fitted normalization: the grasp point over the workspace box and the finger half-gap from
 * closed (0) to open (0.044 m). The hand's axis-angle (state 3–5) is left out: the expert turns the yaw on
 * under 2% of its steps, so it would be near-constant text.
 */
const STATE_RANGES: ReadonlyArray<{ index: number; range: readonly [number, number] }> = [
  { index: 0, range: GEOMETRY.workspace.x },
  { index: 1, range: GEOMETRY.workspace.y },
  { index: 2, range: GEOMETRY.workspace.z },
  { index: 6, range: [0, 0.044] },
];

/** pi0-FAST's bin count. */
export const DEFAULT_STATE_BINS = 256;

/** The bin of `value` among `bins` equal bins over `[lo, hi]`; values outside fall in the end bins. */
export function stateBin(value: number, [lo, hi]: readonly [number, number], bins: number): number {
  const bin = Math.floor(((value - lo) / (hi - lo)) * bins);
  return Math.min(bins - 1, Math.max(0, bin));
}

/** `State: 12 200 34 251;` for an 8-D proprioceptive state (grasp point, axis-angle, finger offsets). */
export function stateText(state: ArrayLike<number>, bins: number = DEFAULT_STATE_BINS): string {
  if (state.length < 8)
    throw new RangeError(`stateText: expected an 8-D robot state, got ${state.length} values`);
  if (!Number.isInteger(bins) || bins < 2)
    throw new RangeError(`stateText: bins must be an integer ≥ 2, got ${bins}`);
  return `State: ${STATE_RANGES.map(({ index, range }) => stateBin(state[index], range, bins)).join(' ')};`;
}
