import { ACTION_DIM } from '@roboalign/bench';

/** Metres per unit of a position action (bench's default `positionScale`). */
export const POSITION_SCALE = 0.02;
/** Net motion over a chunk below which the gripper counts as staying in place (metres). */
const STILL = 0.01;
/** An axis is named when it moves at least this share of the largest axis. */
const SHARE = 0.4;

/** The net displacement of the grasp point a chunk of actions commands, in metres (x, y, z). */
export function chunkDisplacement(chunk: ArrayLike<number>): [number, number, number] {
  const d: [number, number, number] = [0, 0, 0];
  for (let t = 0; t * ACTION_DIM < chunk.length; t++)
    for (let i = 0; i < 3; i++) d[i] += chunk[t * ACTION_DIM + i] * POSITION_SCALE;
  return d;
}

/**
 * A displacement in words, from the robot's side of the table (which the agent view shares): "left",
 * "right", "forward" (away from the robot), "backward", "up", "down", listed in that order ("left, forward and down"),
 * naming each axis that moves at least 40% of the largest; "stay in place" below 1 cm.
 */
export function motionWords(d: readonly [number, number, number]): string {
  const largest = Math.max(...d.map(Math.abs));
  if (largest < STILL) return 'stay in place';
  const words = [
    ['right', 'left'],
    ['forward', 'backward'],
    ['up', 'down'],
  ]
    .map(([positive, negative], i) =>
      Math.abs(d[i]) >= SHARE * largest ? (d[i] > 0 ? positive : negative) : null,
    )
    .filter((w): w is string => w !== null);
  return words.length === 1 ? words[0] : `${words.slice(0, -1).join(', ')} and ${words.at(-1)}`;
}
