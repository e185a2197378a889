import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type LeRobotDataset, readLeRobotDataset, readLeRobotEpisodeTable } from '@roboalign/datasets';
import { mulberry32 } from '@roboalign/utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ACTION_NAMES,
  ENVIRONMENT_STATE_NAMES,
  recordExpertDataset,
  recordExpertEpisodes,
  STATE_NAMES,
  stepSubjects,
} from '../../src/harness/record.js';
import { chainPlan, chainSeed, initialStateSeed, startChainGoal } from '../../src/harness/run.js';
import type { TabletopEnv } from '../../src/sim/tabletop-env.js';
import { CALVIN_STYLE_SUITE, sampleChain } from '../../src/suites/calvin-style.js';
import { LIBERO_STYLE_SUITES } from '../../src/suites/libero-style.js';
import { TaskEnv } from '../../src/suites/task-env.js';
import type { RgbImage } from '../../src/types.js';

const GOAL = LIBERO_STYLE_SUITES[2];
const SIZE = 16;
/** What each libero-goal instruction is about, written out by hand from the task list. */
const GOAL_SUBJECTS = [
  'red_block', // put the red block on the plate
  'green_block', // put the green block in the tray
  'drawer', // open the drawer
  'button', // turn on the light
  'red_block', // push the red block to the left
  'green_block', // lift the green block
  'red_block', // stack the red block on the green block (the one picked up)
  'green_block', // put the green block on the plate
  'red_block', // put the red block in the tray
  'green_block', // push the green block to the back
];

/** The simulator's position of a subject now: the object's body, the drawer handle, the button cap. */
function simulatorPosition(env: TabletopEnv, subject: string): number[] {
  if (subject === 'drawer') return env.drawerHandlePosition();
  if (subject === 'button') return env.bodyPosition('button_cap');
  return env.bodyPosition(subject);
}

/** The expert re-run on one task and trial with the same cameras: what the recorder should have written. */
interface Rerun {
  readonly actions: Float32Array;
  readonly states: Float32Array;
  /** The position of the task's subject ({@link GOAL_SUBJECTS}) before each step, as the simulator has it. */
  readonly targets: Float32Array;
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
      const targets: number[] = [];
      const image: RgbImage[] = [];
      const wristImage: RgbImage[] = [];
      for (let step = 0; step < task.maxSteps; step++) {
        const action = env.expertAction();
        actions.push(...action);
        states.push(...current.state);
        targets.push(...simulatorPosition(env.env, GOAL_SUBJECTS[taskIndex]));
        image.push(current.image);
        wristImage.push(current.wristImage);
        const result = env.step(action);
        current = result.observation;
        if (result.terminated) break;
      }
      reruns.push({
        actions: Float32Array.from(actions),
        states: Float32Array.from(states),
        targets: Float32Array.from(targets),
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
    expect(info.features['observation.environment_state']).toEqual({
      dtype: 'float32',
      shape: [3],
      names: ['target_x', 'target_y', 'target_z'],
    });
    expect([...ENVIRONMENT_STATE_NAMES]).toEqual(['target_x', 'target_y', 'target_z']);
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

  it("stores per step the simulator's position of the instruction's object (drawer handle, button cap)", () => {
    dataset.episodes.forEach((e, i) => {
      const { targets } = reruns[i];
      expect(e.environmentStateDim, GOAL.tasks[i].name).toBe(3);
      expect(e.environmentStates, GOAL.tasks[i].name).toEqual(targets);
      // The subject moves during the demonstration (picked, pushed, pulled or pressed down), so the rows are
      // not one constant that any resting object would match.
      let moved = 0;
      for (let t = 1; t < e.length; t++)
        moved = Math.max(moved, Math.hypot(...[0, 1, 2].map((k) => targets[3 * t + k] - targets[k])));
      expect(moved, GOAL.tasks[i].name).toBeGreaterThan(0.002);
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

describe('stepSubjects', () => {
  it('carries the latest acted-on target forward, the first one back, and skips destinations', () => {
    expect(
      stepSubjects([
        { step: 'rise' },
        { step: 'open-gripper' },
        { step: 'move-above', target: 'red_block' },
        { step: 'lift', target: 'red_block' },
        { step: 'carry-above', target: 'plate' },
        { step: 'lower-onto', target: 'green_block' },
        { step: 'release' },
        undefined,
        { step: 'move-above', target: 'drawer' },
        undefined,
      ]),
    ).toEqual([
      'red_block',
      'red_block',
      'red_block',
      'red_block',
      'red_block',
      'red_block',
      'red_block',
      'red_block',
      'drawer',
      'drawer',
    ]);
    expect(stepSubjects([{ step: 'rise' }, { step: 'carry-above', target: 'plate' }, undefined])).toBe(
      undefined,
    );
  });
});

describe('the environment state of two-stage tasks and chains (no cameras)', () => {
  it('libero-long: the first object until the expert heads for the second, then the second', async () => {
    const long = LIBERO_STYLE_SUITES[3];
    const task = long.tasks[0];
    expect(task.instruction).toBe('put the red block on the plate and the green block in the tray');
    const { episodes } = await recordExpertEpisodes(
      { ...long, tasks: [task] },
      { episodes: 1, imageSize: 0 },
    );
    expect(episodes).toHaveLength(1);
    const [episode] = episodes;
    const env = await TaskEnv.create(task.scene, { render: false });
    try {
      env.reset(task, task.sampleLayout(mulberry32(initialStateSeed(long.name, 0, 0))));
      const rows: { red: Float32Array; green: Float32Array; phase?: string }[] = [];
      for (let t = 0; t < episode.length; t++) {
        const action = env.expertAction();
        const phase = env.expertPhase();
        rows.push({
          red: Float32Array.from(simulatorPosition(env.env, 'red_block')),
          green: Float32Array.from(simulatorPosition(env.env, 'green_block')),
          phase: phase && `${phase.step} ${phase.target ?? ''}`.trim(),
        });
        env.advance(action);
      }
      expect(env.succeeded()).toBe(true);
      const stored = (t: number) => episode.environmentStates!.subarray(t * 3, (t + 1) * 3);
      const switchAt = rows.findIndex((r) => r.phase === 'move-above green_block');
      expect(switchAt).toBeGreaterThan(0);
      rows.forEach((row, t) => {
        expect(stored(t), `step ${t}`).toEqual(t < switchAt ? row.red : row.green);
      });
    } finally {
      env.dispose();
    }
  });

  it("calvin: each subtask's object (the block named first), the drawer handle or the button cap", async () => {
    const { episodes } = await recordExpertEpisodes('calvin', { episodes: 1, imageSize: 0 });
    const plan = chainPlan(CALVIN_STYLE_SUITE, 0);
    expect(episodes.map((e) => e.instruction)).toEqual(plan.tasks.map((t) => t.instruction));
    const env = await TaskEnv.create(CALVIN_STYLE_SUITE.scene, { render: false });
    try {
      episodes.forEach((episode, i) => {
        const name = plan.tasks[i].name;
        const subject =
          /(red|blue|pink)_block/.exec(name)?.[0] ?? (name.includes('drawer') ? 'drawer' : 'button');
        startChainGoal(env, plan, i);
        const expected: number[] = [];
        for (let t = 0; t < episode.length; t++) {
          const action = env.expertAction();
          expected.push(...simulatorPosition(env.env, subject));
          env.advance(action);
        }
        expect(env.succeeded(), name).toBe(true);
        expect(episode.environmentStateDim, name).toBe(3);
        expect(episode.environmentStates, name).toEqual(Float32Array.from(expected));
      });
    } finally {
      env.dispose();
    }
  });
});

describe('the privileged scene positions of recorded demonstrations', () => {
  it("calvin: every object and fixture once per step, the subject's entry equal to the environment state", async () => {
    const { episodes } = await recordExpertEpisodes('calvin', { episodes: 1, imageSize: 0 });
    const names = ['red block', 'blue block', 'pink block', 'plate', 'tray', 'button', 'drawer'];
    for (const episode of episodes) {
      expect(episode.sceneObjects).toHaveLength(episode.length);
      const subject = /(red|blue|pink) block|drawer|light/.exec(episode.instruction)?.[0];
      const entry = subject === 'light' ? 'button' : subject;
      episode.sceneObjects.forEach((objects, t) => {
        expect(objects.map((o) => o.name).sort(), `step ${t}`).toEqual([...names].sort());
        const position = objects.find((o) => o.name === entry)!.position;
        expect(Float32Array.from(position), `${episode.instruction}, step ${t}`).toEqual(
          episode.environmentStates!.subarray(3 * t, 3 * t + 3),
        );
      });
    }
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
