import { join } from 'node:path';
import { type RecordOptions, recordExpertDataset, type Suite } from '@roboalign/bench';
import { type LeRobotDataset, type RobotEpisode, readLeRobotDataset } from '@roboalign/datasets';

// Demonstrations are stored as one LeRobot v2.1 dataset per suite, `demos/<suite>/`, written by
// @roboalign/bench's recordExpertDataset (through @roboalign/datasets' writeLeRobotDataset) with the camera
// frames as PNG bytes inside the parquet files: lossless, so a demonstration reads back exactly as recorded.

/** The LeRobot v2.1 dataset folder of a suite's demonstrations under the run folder `out`. */
export function demoDir(out: string, suite: string): string {
  return join(out, 'demos', suite);
}

/**
 * Records a suite's expert demonstrations and writes them to `dir` as a LeRobot v2.1 dataset with PNG frames
 * (replacing what is there). The writer stages the dataset in a sibling folder and renames it into place, so
 * `dir` holds either the old dataset or the whole new one, never a part. Throws when the expert succeeds in
 * no episode (a LeRobot dataset cannot be empty).
 */
export async function recordDemos(
  suite: string | Suite,
  dir: string,
  options: Pick<RecordOptions, 'episodes' | 'firstTrial' | 'imageSize'>,
): Promise<void> {
  await recordExpertDataset(suite, dir, { ...options, frames: 'png', overwrite: true });
}

/**
 * Reads the demonstrations in `dir` (a LeRobot v2.1 dataset) in episode order, as the recorder returned them:
 * the same actions, states, environment states (the target's position, where recorded) and frames,
 * instruction, fps, length and index. The `timestamps` the reader adds
 * are dropped when they are the writer's default (`frame / fps`; recorded episodes carry none). A missing,
 * incomplete or corrupt dataset throws an Error that names `dir`.
 */
export async function loadDemos(dir: string): Promise<RobotEpisode[]> {
  let dataset: LeRobotDataset;
  try {
    dataset = await readLeRobotDataset(dir);
  } catch (error) {
    throw new Error(`${dir}: cannot read the demonstrations (a LeRobot v2.1 dataset): ${message(error)}`, {
      cause: error,
    });
  }
  const { info, episodes } = dataset;
  if (episodes.length === 0)
    throw new Error(`${dir}: cannot read the demonstrations: the dataset has no episodes`);
  if (episodes.length !== info.total_episodes) {
    throw new Error(
      `${dir}: cannot read the demonstrations: meta/info.json says ${info.total_episodes} episodes, meta/episodes.jsonl lists ${episodes.length}`,
    );
  }
  return episodes.map((episode, i) => {
    if (episode.index !== i)
      throw new Error(`${dir}: cannot read the demonstrations: episode ${i} has index ${episode.index}`);
    return withoutDefaultTimestamps(episode);
  });
}

/** The episode without `timestamps` when they are `frame / fps` in float32, which is what the writer stores for none. */
function withoutDefaultTimestamps(episode: RobotEpisode): RobotEpisode {
  const { timestamps, ...rest } = episode;
  if (timestamps === undefined) return episode;
  const isDefault = timestamps.every((seconds, t) => seconds === Math.fround(t / episode.fps));
  return isDefault ? rest : episode;
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
