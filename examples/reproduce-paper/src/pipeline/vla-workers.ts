import { mkdir, open } from 'node:fs/promises';
import { join } from 'node:path';
import type { PipelinePreset } from './presets.js';
import type { StageName } from './stage-runner.js';
import type { Variant } from './variants.js';

/**
 * Which of the VLA stages (the head-input ablation and one benchmark per variant) a process runs: all of
 * them, then the report (the default); `'none'`, stopping before them; or `{ claims }`, one of `--jobs`'
 * processes, which runs each stage it claims first in the folder `claims` ({@link claimVlaStage}) and stops
 * before the report.
 */
export type VlaStageSelection = 'all' | 'none' | { claims: string };

/** How many VLA stages a run has: one benchmark per variant, and the head-input ablation if the preset has it. */
export function vlaStageCount(
  vla: Pick<PipelinePreset['vla'], 'ablationTrials'>,
  variants: readonly Variant[],
): number {
  return variants.length + (vla.ablationTrials > 0 ? 1 : 0);
}

/**
 * Claims `stage` for this process among those sharing the folder `claimsDir`: true for exactly one of them
 * (an exclusive create of the file `<claimsDir>/<stage>`). Workers take stages as they come free, in the
 * pipeline's order, instead of by a deal fixed in advance: a fixed deal by heads left one worker running
 * alone for over an hour of `paper`, because an ablation head (10 validation episodes) and a benchmark
 * head (90 episodes) cost differently and a resumed stage costs less than a fresh one.
 */
export async function claimVlaStage(claimsDir: string, stage: StageName): Promise<boolean> {
  await mkdir(claimsDir, { recursive: true });
  try {
    await (await open(join(claimsDir, stage), 'wx')).close();
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
}

/** Whether a process with this selection runs `stage`, one of the run's VLA stages (claiming it if shared). */
export async function runsVlaStage(selection: VlaStageSelection, stage: StageName): Promise<boolean> {
  if (selection === 'all') return true;
  if (selection === 'none') return false;
  return claimVlaStage(selection.claims, stage);
}
