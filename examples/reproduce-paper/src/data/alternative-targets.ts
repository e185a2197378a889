import { pixelIndex, projectToAgentView } from '@roboalign/bench';
import { phaseText } from './phase-text.js';
import type { PoolFrame } from './pool-episodes.js';

/**
 * The two alternative alignment targets of issue #22, from a pool frame's privileged state: the expert's next
 * step in words (`phaseText`), and the grasp point's agent-view pixels over the next half second.
 */

/**
 * Steps between the points of a pixel trajectory: every other step of the 10-step FAST horizon, so 5 points
 * at steps t, t + 2, …, t + 8. At 48 px the grasp point moves about 0.7 px per step (40% of steps not at all),
 * so every step would mostly repeat points and double the answer's length.
 */
export const TRAJECTORY_STRIDE = 2;

/**
 * The agent-view pixels `[column, row]` of every `stride`-th grasp point of a row-major `[steps, 3]` world
 * trajectory (a {@link PoolFrame}'s `trajectory`), starting with the first: `projectToAgentView`, then
 * `pixelIndex`, clamped into the `imageSize`² image (a point outside the view goes to the nearest border
 * pixel; in the pool, none is).
 *
 * @example
 * trajectoryPixels(Float64Array.of(0, -0.15, 0.25), 64); // [[32, 23]]: the gripper's home position
 */
export function trajectoryPixels(
  trajectory: ArrayLike<number>,
  imageSize: number,
  stride: number = TRAJECTORY_STRIDE,
): [number, number][] {
  if (trajectory.length === 0 || trajectory.length % 3 !== 0)
    throw new RangeError(
      `trajectoryPixels: expected [steps, 3] world points, got ${trajectory.length} values`,
    );
  if (!Number.isInteger(stride) || stride < 1)
    throw new RangeError(`trajectoryPixels: stride must be an integer >= 1, got ${stride}`);
  const clamp = (v: number) => Math.min(imageSize - 1, Math.max(0, v));
  const points: [number, number][] = [];
  for (let step = 0; step < trajectory.length / 3; step += stride) {
    const world = [trajectory[3 * step], trajectory[3 * step + 1], trajectory[3 * step + 2]];
    const [x, y] = pixelIndex(projectToAgentView(world, imageSize));
    points.push([clamp(x), clamp(y)]);
  }
  return points;
}

/**
 * A pixel trajectory as answer text, `[(12,30),(13,29)]` (no spaces), the list `parseTrajectory` of
 * `@roboalign/rewards` reads back. Throws on an empty list or a coordinate that is not a safe integer.
 */
export function trajectoryText(points: readonly (readonly [number, number])[]): string {
  if (points.length === 0) throw new RangeError('trajectoryText: the trajectory is empty');
  const pairs = points.map((p, i) => {
    if (p.length !== 2 || !Number.isSafeInteger(p[0]) || !Number.isSafeInteger(p[1]))
      throw new RangeError(`trajectoryText: point ${i} is [${p.join(', ')}], not two integers`);
    return `(${p[0]},${p[1]})`;
  });
  return `[${pairs.join(',')}]`;
}

/** The label facts of both targets for a FAST row: `high_level` (absent without a phase) and `trajectory`. */
export function alternativeTargetFacts(
  frame: Pick<PoolFrame, 'phase' | 'facts' | 'trajectory'>,
  imageSize: number,
): { high_level?: string; trajectory: [number, number][] } {
  return {
    ...(frame.phase ? { high_level: phaseText(frame.phase, frame.facts) } : {}),
    trajectory: trajectoryPixels(frame.trajectory, imageSize),
  };
}
