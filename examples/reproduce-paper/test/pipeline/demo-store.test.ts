// The demos stage's storage (issue #23 §3): a LeRobot v2.1 dataset per suite, written and read through
// @roboalign/datasets with PNG frames, must give back exactly the episodes the expert recorded.
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type EpisodeSuite, getSuite, recordExpertEpisodes } from '@roboalign/bench';
import { type RobotEpisode, readLeRobotInfo, writeLeRobotDataset } from '@roboalign/datasets';
import { mulberry32 } from '@roboalign/utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoDir, loadDemos, recordDemos } from '../../src/pipeline/demo-store.js';

const SIZE = 16;
// The first two tasks of libero-goal, one demonstration each, from the demonstrations' initial states.
const goal = getSuite('libero-goal') as EpisodeSuite;
const twoTasks = { ...goal, tasks: goal.tasks.slice(0, 2) };
const options = { episodes: 1, firstTrial: 1000, imageSize: SIZE };

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'demo-store-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

/**
 * Field by field, then as a whole: every field of `actual` is that of `expected`, and no other field, but
 * the recorder's in-memory `sceneObjects` (privileged positions, which a LeRobot dataset does not store).
 */
function expectSameEpisodes(
  actual: readonly RobotEpisode[],
  recorded: readonly (RobotEpisode & { sceneObjects?: unknown })[],
): void {
  const expected = recorded.map(({ sceneObjects: _, ...episode }) => episode);
  expect(actual.length).toBe(expected.length);
  actual.forEach((a, i) => {
    const e = expected[i];
    expect(a.index).toBe(e.index);
    expect(a.instruction).toBe(e.instruction);
    expect(a.fps).toBe(e.fps);
    expect(a.length).toBe(e.length);
    expect(a.actionDim).toBe(e.actionDim);
    expect(a.stateDim).toBe(e.stateDim);
    expect(a.actions).toBeInstanceOf(Float32Array);
    expect(a.actions).toEqual(e.actions);
    if (e.states === undefined) expect(a.states).toBeUndefined();
    else {
      expect(a.states).toBeInstanceOf(Float32Array);
      expect(a.states).toEqual(e.states);
    }
    expect(a.environmentStateDim).toBe(e.environmentStateDim);
    if (e.environmentStates === undefined) expect(a.environmentStates).toBeUndefined();
    else {
      expect(a.environmentStates).toBeInstanceOf(Float32Array);
      expect(a.environmentStates).toEqual(e.environmentStates);
    }
    expect(a.timestamps).toEqual(e.timestamps);
    expect(Object.keys(a.images ?? {}).sort()).toEqual(Object.keys(e.images ?? {}).sort());
    for (const [camera, frames] of Object.entries(e.images ?? {})) {
      const read = a.images![camera];
      expect(read.length).toBe(frames.length);
      frames.forEach((frame, t) => {
        expect([read[t].width, read[t].height]).toEqual([frame.width, frame.height]);
        expect(Buffer.from(read[t].data).equals(Buffer.from(frame.data))).toBe(true);
      });
    }
  });
  expect(actual).toEqual(expected);
}

describe('demonstrations as LeRobot v2.1 datasets with PNG frames', () => {
  it('read back exactly as the expert recorded them (libero-goal, two tasks)', async () => {
    const { episodes: expected } = await recordExpertEpisodes(twoTasks, options);
    expect(expected.length).toBe(2);
    expect(Object.keys(expected[0].images ?? {}).sort()).toEqual(['image', 'wrist_image']);
    // The recorder stores the position of what each instruction is about as the environment state.
    for (const e of expected) expect(e.environmentStates).toHaveLength(e.length * 3);
    const dir = demoDir(tmp, 'libero-goal');
    expect(dir).toBe(join(tmp, 'demos', 'libero-goal'));
    await recordDemos(twoTasks, dir, options);
    expectSameEpisodes(await loadDemos(dir), expected);

    // The layout: LeRobot v2.1, cameras as PNG images in the parquet files, no videos.
    const info = await readLeRobotInfo(dir);
    expect(info.codebase_version).toBe('v2.1');
    expect(info.total_episodes).toBe(2);
    expect(info.total_videos).toBe(0);
    expect(info.features['observation.images.image'].dtype).toBe('image');
    expect(info.features['observation.images.wrist_image'].dtype).toBe('image');
    expect(info.features['observation.environment_state']).toEqual({
      dtype: 'float32',
      shape: [3],
      names: ['target_x', 'target_y', 'target_z'],
    });
    expect(existsSync(join(dir, 'data', 'chunk-000', 'episode_000001.parquet'))).toBe(true);
    expect(existsSync(join(dir, 'videos'))).toBe(false);
    expect(await readdir(join(tmp, 'demos'))).toEqual(['libero-goal']);
  });

  it('read back exactly as the expert recorded them (a calvin chain: several instructions, in order)', async () => {
    const chain = { episodes: 1, firstTrial: 1000, imageSize: SIZE };
    const { episodes: expected } = await recordExpertEpisodes('calvin', chain);
    expect(expected.length).toBeGreaterThan(1);
    for (const e of expected) expect(e.environmentStateDim).toBe(3);
    const dir = demoDir(tmp, 'calvin');
    await recordDemos('calvin', dir, chain);
    expectSameEpisodes(await loadDemos(dir), expected);
  });

  it('keep any float32 value, explicit timestamps, environment states and every pixel (episodes built by hand)', async () => {
    const rand = mulberry32(3);
    const pixels = (n: number) => Uint8Array.from({ length: n }, () => Math.floor(rand() * 256));
    const episode = (index: number, length: number, instruction: string, timestamps?: Float32Array) => {
      // -0, a subnormal, near the float32 maximum, and values float32 rounds.
      const values = (n: number) =>
        Float32Array.from(
          { length: n },
          (_, k) => [-0, 1 / 3, -1e-42, 1.7e38, 1e-7, -2.5][k % 6] * (1 + rand()),
        );
      return {
        index,
        instruction,
        fps: 20,
        length,
        actions: values(length * 7),
        actionDim: 7,
        states: values(length * 8),
        stateDim: 8,
        environmentStates: values(length * 3),
        environmentStateDim: 3,
        ...(timestamps ? { timestamps } : {}),
        images: {
          image: Array.from({ length }, () => ({ width: 5, height: 3, data: pixels(5 * 3 * 3) })),
          wrist_image: Array.from({ length }, () => ({ width: 5, height: 3, data: pixels(5 * 3 * 3) })),
        },
      } satisfies RobotEpisode;
    };
    const expected: RobotEpisode[] = [
      episode(0, 3, 'put the bowl on the plate'),
      episode(1, 2, ''),
      episode(2, 4, 'put the bowl on the plate', Float32Array.of(0, 0.04, 0.11, 0.2)),
    ];
    expect(Object.is(expected[0].actions[0], -0)).toBe(true);
    const dir = join(tmp, 'by-hand');
    await writeLeRobotDataset(dir, expected, { robotType: 'test' });
    const actual = await loadDemos(dir);
    expectSameEpisodes(actual, expected);
    expect(Object.is(actual[0].actions[0], -0)).toBe(true);
    expect(Object.is(actual[0].environmentStates![0], -0)).toBe(true);
  });

  it('replace an earlier recording whole, leaving no staging folder behind', async () => {
    const dir = demoDir(tmp, 'replaced');
    await recordDemos(twoTasks, dir, options);
    const single = { ...goal, tasks: goal.tasks.slice(1, 2) };
    await recordDemos(single, dir, options);
    const { episodes: expected } = await recordExpertEpisodes(single, options);
    expectSameEpisodes(await loadDemos(dir), expected);
    expect((await readdir(join(tmp, 'demos'))).sort()).toEqual(['calvin', 'libero-goal', 'replaced']);
  });
});

describe('loadDemos on a missing or corrupt dataset', () => {
  /** A fresh copy of a small valid dataset to damage. */
  async function validDataset(name: string): Promise<string> {
    const dir = join(tmp, 'broken', name);
    const e: RobotEpisode = {
      index: 0,
      instruction: 'x',
      fps: 20,
      length: 2,
      actions: new Float32Array(14),
      actionDim: 7,
      states: new Float32Array(16),
      stateDim: 8,
    };
    await writeLeRobotDataset(dir, [e, { ...e, index: 1 }], { robotType: 'test' });
    expect(await loadDemos(dir)).toHaveLength(2);
    return dir;
  }

  it('names the folder when it is missing', async () => {
    const dir = join(tmp, 'demos', 'no-such-suite');
    await expect(loadDemos(dir)).rejects.toThrow(`${dir}: cannot read the demonstrations`);
  });

  it('names the folder when meta/info.json is corrupt', async () => {
    const dir = await validDataset('info');
    await writeFile(join(dir, 'meta', 'info.json'), '{"codebase_version": "v2.1", ');
    await expect(loadDemos(dir)).rejects.toThrow(`${dir}: cannot read the demonstrations`);
  });

  it('names the folder when an episode file is truncated', async () => {
    const dir = await validDataset('parquet');
    const file = join(dir, 'data', 'chunk-000', 'episode_000001.parquet');
    await truncate(file, Math.floor((await readFile(file)).length / 2));
    await expect(loadDemos(dir)).rejects.toThrow(`${dir}: cannot read the demonstrations`);
  });

  it('names the folder when meta/episodes.jsonl lost episodes', async () => {
    const dir = await validDataset('episodes');
    const lines = (await readFile(join(dir, 'meta', 'episodes.jsonl'), 'utf8')).split('\n');
    await writeFile(join(dir, 'meta', 'episodes.jsonl'), `${lines[0]}\n`);
    await expect(loadDemos(dir)).rejects.toThrow(
      `${dir}: cannot read the demonstrations: meta/info.json says 2 episodes, meta/episodes.jsonl lists 1`,
    );
  });
});
