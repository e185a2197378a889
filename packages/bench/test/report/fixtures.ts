import type { EpisodeResult } from '../../src/report/index.js';

/** One episode with derived task name, seed and step count. */
export function episode(
  suite: string,
  taskIndex: number,
  instruction: string,
  trial: number,
  success: boolean,
): EpisodeResult {
  return {
    suite,
    taskIndex,
    taskName: `task_${taskIndex}`,
    instruction,
    trial,
    seed: 7 + trial,
    success,
    steps: 50,
  };
}

/** spatial task 1: 2/3, spatial task 0: 2/2, goal task 0: 1/4 (task 1 listed first to test sorting). */
export const EPISODES: EpisodeResult[] = [
  episode('libero_spatial', 1, 'put the bowl on the plate', 0, true),
  episode('libero_spatial', 1, 'put the bowl on the plate', 1, false),
  episode('libero_goal', 0, 'open the drawer | carefully', 0, false),
  episode('libero_spatial', 0, 'pick up the black bowl', 0, true),
  episode('libero_spatial', 1, 'put the bowl on the plate', 2, true),
  episode('libero_goal', 0, 'open the drawer | carefully', 1, false),
  episode('libero_spatial', 0, 'pick up the black bowl', 1, true),
  episode('libero_goal', 0, 'open the drawer | carefully', 2, false),
  episode('libero_goal', 0, 'open the drawer | carefully', 3, true),
];
