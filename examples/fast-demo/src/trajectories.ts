/**
 * Synthetic but realistic robot action streams: a 7-D end-effector-delta arm (dx, dy, dz, droll, dpitch,
 * dyaw, gripper) doing pick-and-place style reaches. Positions follow minimum-jerk segments between random
 * waypoints (the smooth bell-shaped velocity profile of human and planner motion), actions are the
 * per-step deltas plus a little sensor noise, and the gripper is a binary open/close signal that switches
 * at waypoints.
 */

function gaussian(rand: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
}

/** Minimum-jerk interpolation factor at phase s in [0, 1]: 10s³ - 15s⁴ + 6s⁵. */
function minimumJerk(s: number): number {
  return s * s * s * (10 - 15 * s + 6 * s * s);
}

/** Options of {@link generateEpisode}. */
export interface EpisodeOptions {
  /** Number of control steps. */
  steps: number;
  /** Control rate in Hz (sets how many steps a reach takes). */
  hz: number;
  /** Standard deviation of additive action noise, in action units. */
  noise?: number;
}

/** One episode as row-major `[steps, 7]` actions. */
export function generateEpisode(rand: () => number, options: EpisodeOptions): Float64Array {
  const { steps, hz } = options;
  const noise = options.noise ?? 0.002;
  const dim = 7;
  const pose = new Float64Array(6); // xyz (m) and rpy (rad)
  const actions = new Float64Array(steps * dim);
  let gripper = 1;
  let t = 0;
  while (t < steps) {
    const duration = Math.max(2, Math.round(hz * (0.8 + 1.7 * rand()))); // reaches of 0.8 to 2.5 s
    const start = Float64Array.from(pose);
    const goal = Float64Array.from(pose, (p, i) => p + (i < 3 ? 0.15 : 0.4) * (2 * rand() - 1));
    for (let k = 1; k <= duration && t < steps; k++, t++) {
      const s = minimumJerk(k / duration);
      for (let i = 0; i < 6; i++) {
        const next = start[i] + (goal[i] - start[i]) * s;
        actions[t * dim + i] = next - pose[i] + noise * gaussian(rand);
        pose[i] = next;
      }
      actions[t * dim + 6] = gripper;
    }
    if (rand() < 0.6) gripper = 1 - gripper; // grasp or release at the waypoint
  }
  return actions;
}
