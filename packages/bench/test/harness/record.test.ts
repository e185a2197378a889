import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type LeRobotDataset, readLeRobotDataset, readLeRobotEpisodeTable } from '@roboalign/datasets';
import { mulberry32 } from '@roboalign/utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACTION_NAMES, recordExpertDataset, STATE_NAMES } from '../../src/harness/record.js';
import { chainSeed, initialStateSeed } from '../../src/harness/run.js';
import { CALVIN_STYLE_SUITE, sampleChain } from '../../src/suites/calvin-style.js';
import { LIBERO_STYLE_SUITES } from '../../src/suites/libero-style.js';
import { TaskEnv } from '../../src/suites/task-env.js';
import type { RgbImage } from '../../src/types.js';

const GOAL = LIBERO_STYLE_SUITES[2];
const SIZE = 16;

/** The expert re-run on one task and trial with the same cameras: what the recorder should have written. */
interface Rerun {
  readonly actions: Float32Array;
  readonly states: Float32Array;
  readonly image: RgbImage[];
  readonly wristImage: RgbImage[];
}

let tmp: string;
let dir: string;
let written: Awaited<ReturnType<typeof recordExpertDataset>>;
let dataset: LeRobotDataset;
let reruns: Rerun[];

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'bench-record-'));
  dir = join(tmp, 'goal');
  written = await recordExpertDataset('libero-goal', dir, { episodes: 1, imageSize: SIZE, frames: 'png' });
  dataset = await readLeRobotDataset(dir);
  // Re-run the expert on trial 0 of every task, observing before each step as the recorder does.
  const env = await TaskEnv.create(GOAL.tasks[0].scene, { imageSize: SIZE });
  reruns = [];
  try {
    for (const [taskIndex, task] of GOAL.tasks.entries()) {
      const { observation } = env.reset(
        task,
        task.sampleLayout(mulberry32(initialStateSeed(GOAL.name, taskIndex, 0))),
      );
      let current = observation;
      const actions: number[] = [];
      const states: number[] = [];
      const image: RgbImage[] = [];
      const wristImage: RgbImage[] = [];
      for (let step = 0; step < task.maxSteps; step++) {
        const action = env.expertAction();
        actions.push(...action);
        states.push(...current.state);
        image.push(current.image);
        wristImage.push(current.wristImage);
        const result = env.step(action);
        current = result.observation;
        if (result.terminated) break;
      }
      reruns.push({
        actions: Float32Array.from(actions),
        states: Float32Array.from(states),
        image,
        wristImage,
      });
    }
  } finally {
    env.dispose();
  }
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe('recordExpertDataset on libero-goal, 1 episode per task, PNG frames', () => {
  it('writes 10 episodes, one per task, in task order', () => {
    expect(written.attempted).toBe(10);
    expect(written.info.total_episodes).toBe(10);
    expect(dataset.episodes).toHaveLength(10);
    expect(dataset.episodes.map((e) => e.instruction)).toEqual(GOAL.tasks.map((t) => t.instruction));
    expect(dataset.tasks.map((t) => t.task)).toEqual(GOAL.tasks.map((t) => t.instruction));
    expect(dataset.episodes.map((e) => e.index)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('info.json: fps 20, LeRobot v2.1, frame counts match the episodes', () => {
    const { info } = dataset;
    expect(info.fps).toBe(20);
    expect(info.codebase_version).toBe('v2.1');
    expect(info.robot_type).toBe('roboalign_tabletop_gantry');
    expect(info.total_frames).toBe(dataset.episodes.reduce((s, e) => s + e.length, 0));
    expect(dataset.episodeMeta.map((m) => m.length)).toEqual(dataset.episodes.map((e) => e.length));
    expect(info.features.action.shape).toEqual([7]);
    expect(info.features.action.names).toEqual([...ACTION_NAMES]);
    expect(info.features['observation.state'].shape).toEqual([8]);
    expect(info.features['observation.state'].names).toEqual([...STATE_NAMES]);
    expect(info.features['observation.images.image'].dtype).toBe('image');
    expect(info.features['observation.images.image'].shape).toEqual([SIZE, SIZE, 3]);
    expect(dataset.skippedVideoKeys).toEqual([]);
  });

  it('each episode: fps 20, actions [T, 7], states [T, 8], 16×16 images, T < maxSteps', () => {
    dataset.episodes.forEach((e, i) => {
      expect(e.fps).toBe(20);
      expect(e.actionDim).toBe(7);
      expect(e.actions).toHaveLength(e.length * 7);
      expect(e.stateDim).toBe(8);
      expect(e.states).toHaveLength(e.length * 8);
      expect(e.length).toBeGreaterThan(5);
      expect(e.length).toBeLessThan(GOAL.tasks[i].maxSteps);
      expect(Object.keys(e.images ?? {}).sort()).toEqual(['image', 'wrist_image']);
      for (const frames of Object.values(e.images ?? {})) {
        expect(frames).toHaveLength(e.length);
        expect(frames[0]).toMatchObject({ width: SIZE, height: SIZE });
        expect(frames[0].data).toHaveLength(SIZE * SIZE * 3);
      }
      expect(e.timestamps?.[1]).toBeCloseTo(1 / 20, 6);
    });
  });

  it('actions, states and frames equal an independent re-run of the expert (float32, lossless PNG)', () => {
    dataset.episodes.forEach((e, i) => {
      const rerun = reruns[i];
      expect(e.length, GOAL.tasks[i].name).toBe(rerun.image.length);
      expect(e.actions).toEqual(rerun.actions);
      expect(e.states).toEqual(rerun.states);
      for (const t of [0, Math.floor(e.length / 2), e.length - 1]) {
        expect(e.images?.image[t].data).toEqual(rerun.image[t].data);
        expect(e.images?.wrist_image[t].data).toEqual(rerun.wristImage[t].data);
      }
    });
  });

  it('writes stats.json and per-episode stats matching the data', async () => {
    const stats = JSON.parse(await readFile(join(dir, 'meta', 'stats.json'), 'utf8')) as Record<
      string,
      Record<string, unknown>
    >;
    for (const key of [
      'action',
      'observation.state',
      'observation.images.image',
      'observation.images.wrist_image',
    ])
      expect(Object.keys(stats), key).toContain(key);
    const all = dataset.episodes.flatMap((e) => Array.from(e.actions));
    const gripper = all.filter((_, i) => i % 7 === 6);
    const action = stats.action as { min: number[]; max: number[]; count: number[] };
    expect(action.count).toEqual([all.length / 7]);
    expect(action.min[6]).toBeCloseTo(Math.min(...gripper), 6);
    expect(action.max[6]).toBeCloseTo(Math.max(...gripper), 6);
    // The expert both opens (−1) and closes (+1) the gripper across the suite.
    expect(action.min[6]).toBe(-1);
    expect(action.max[6]).toBe(1);
    const perEpisode = (await readFile(join(dir, 'meta', 'episodes_stats.jsonl'), 'utf8')).trim().split('\n');
    expect(perEpisode).toHaveLength(10);
  });

  it('refuses to overwrite the dataset without overwrite: true, and replaces it with it', async () => {
    await expect(recordExpertDataset('libero-goal', dir, { episodes: 1, imageSize: SIZE })).rejects.toThrow(
      /exists and is not empty; pass overwrite: true/,
    );
    // The refused attempt left the dataset as it was.
    expect((await readLeRobotDataset(dir, { decodeImages: false })).episodes).toHaveLength(10);
    const again = await recordExpertDataset(GOAL, dir, {
      episodes: 1,
      imageSize: SIZE,
      overwrite: true,
      frames: 'png',
    });
    expect(again.info.total_frames).toBe(written.info.total_frames);
    expect(existsSync(join(dir, 'meta', 'info.json'))).toBe(true);
  });

  it('rejects a non-positive episode count', async () => {
    await expect(recordExpertDataset('libero-goal', join(tmp, 'none'), { episodes: 0 })).rejects.toThrow(
      /episodes must be a positive integer, got 0/,
    );
  });
});

/** Peak signal-to-noise ratio of `decoded` against `original` frames, in dB. */
function psnr(decoded: readonly RgbImage[], original: readonly RgbImage[]): number {
  let squared = 0;
  let n = 0;
  decoded.forEach((frame, t) => {
    for (let i = 0; i < frame.data.length; i++) {
      const d = frame.data[i] - original[t].data[i];
      squared += d * d;
      n++;
    }
  });
  return 10 * Math.log10((255 * 255) / (squared / n));
}

describe("recordExpertDataset with MP4 videos (frames: 'mp4', opt-in)", () => {
  let videoDir: string;
  let videos: LeRobotDataset;

  beforeAll(async () => {
    videoDir = join(tmp, 'goal-mp4');
    await recordExpertDataset('libero-goal', videoDir, { episodes: 1, imageSize: SIZE, frames: 'mp4' });
    videos = await readLeRobotDataset(videoDir);
  });

  it('lays the cameras out as LeRobot v2.1 videos: one MP4 per camera and episode, dtype video', async () => {
    const { info } = videos;
    expect(info.video_path).toBe(
      'videos/chunk-{episode_chunk:03d}/{video_key}/episode_{episode_index:06d}.mp4',
    );
    expect(info.total_videos).toBe(20);
    for (const camera of ['image', 'wrist_image']) {
      const feature = info.features[`observation.images.${camera}`];
      expect(feature.dtype).toBe('video');
      expect(feature.shape).toEqual([SIZE, SIZE, 3]);
      expect(feature.info).toMatchObject({
        'video.codec': 'h264',
        'video.pix_fmt': 'yuv420p',
        'video.fps': 20,
      });
      for (let e = 0; e < 10; e++) {
        const file = join(
          videoDir,
          'videos',
          'chunk-000',
          `observation.images.${camera}`,
          `episode_00000${e}.mp4`,
        );
        const head = new Uint8Array(await readFile(file)).subarray(4, 8);
        expect(new TextDecoder().decode(head), file).toBe('ftyp');
      }
    }
    // The parquet files carry no image column when the frames are videos.
    const table = await readLeRobotEpisodeTable(
      join(videoDir, 'data', 'chunk-000', 'episode_000000.parquet'),
    );
    expect(table.columns.some((c) => c.startsWith('observation.images.'))).toBe(false);
  });

  it('reads back every frame, close to the rendered one (H.264 is lossy), and the same actions', () => {
    expect(videos.skippedVideoKeys).toEqual([]);
    videos.episodes.forEach((e, i) => {
      const rerun = reruns[i];
      expect(e.actions).toEqual(rerun.actions);
      expect(e.images?.image).toHaveLength(e.length);
      expect(e.images?.wrist_image).toHaveLength(e.length);
      expect(psnr(e.images?.image ?? [], rerun.image), GOAL.tasks[i].name).toBeGreaterThan(25);
      expect(psnr(e.images?.wrist_image ?? [], rerun.wristImage), GOAL.tasks[i].name).toBeGreaterThan(25);
    });
  });

  it('skips the videos without decodeImages and lists them', async () => {
    const light = await readLeRobotDataset(videoDir, { decodeImages: false });
    expect(light.skippedVideoKeys).toEqual(['observation.images.image', 'observation.images.wrist_image']);
    expect(light.episodes[0].images).toBeUndefined();
  });
});

describe('recordExpertDataset on the chain suite', () => {
  it('writes one episode per completed instruction of the chain, in order', async () => {
    const out = join(tmp, 'calvin');
    const result = await recordExpertDataset('calvin', out, { episodes: 1, imageSize: SIZE });
    const read = await readLeRobotDataset(out, { decodeImages: false });
    const { tasks } = sampleChain(CALVIN_STYLE_SUITE, mulberry32(chainSeed('calvin', 0)));
    expect(result.attempted).toBe(1);
    // The expert completes chain 0 (see the experts test), so all five instructions are recorded.
    expect(read.episodes.map((e) => e.instruction)).toEqual(tasks.map((t) => t.instruction));
    // The default stores PNG frames: MP4 needs the optional @napi-rs/webcodecs (GPL-2.0+ libx264 inside).
    expect(read.info.features['observation.images.image'].dtype).toBe('image');
    expect(read.info.total_videos).toBe(0);
    for (const e of read.episodes) expect(e.length).toBeLessThan(CALVIN_STYLE_SUITE.subtaskSteps);
  });
});
