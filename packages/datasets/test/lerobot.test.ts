import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RobotEpisode } from '../src/episode.js';
import { formatLeRobotPath } from '../src/lerobot-format.js';
import {
  readLeRobotDataset,
  readLeRobotEpisodeFile,
  readLeRobotEpisodeTable,
} from '../src/lerobot-reader.js';
import { writeLeRobotDataset } from '../src/lerobot-writer.js';
import type { RgbImage } from '../src/rgb-image.js';

const SHARED = resolve(import.meta.dirname, '../../../../shared');
const G1 = join(SHARED, 'data', 'g1', 'episode_000000.parquet');
if (!existsSync(G1)) console.warn(`[datasets] ${G1} is absent: skipping the G1 LeRobot tests`);

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'bench-lerobot-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

/** Deterministic pseudo-random bytes (LCG) so failures reproduce. */
function noiseImage(width: number, height: number, seed: number): RgbImage {
  const data = new Uint8Array(width * height * 3);
  let s = seed >>> 0;
  for (let i = 0; i < data.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    data[i] = s >>> 24;
  }
  return { width, height, data };
}

function syntheticEpisode(index: number, length: number, instruction: string): RobotEpisode {
  const actions = Float32Array.from({ length: length * 2 }, (_, i) => Math.fround(index + i * 0.1 - 0.37));
  const states = Float32Array.from({ length: length * 3 }, (_, i) => Math.fround(Math.sin(index * 10 + i)));
  return {
    index,
    instruction,
    fps: 10,
    length,
    actions,
    actionDim: 2,
    states,
    stateDim: 3,
    images: {
      front: Array.from({ length }, (_, t) => noiseImage(6, 4, index * 100 + t)),
      wrist: Array.from({ length }, (_, t) => noiseImage(3, 2, index * 1000 + t + 7)),
    },
  };
}

const readJson = async (path: string): Promise<Record<string, unknown>> =>
  JSON.parse(await readFile(path, 'utf8'));
const readLines = async (path: string): Promise<unknown[]> =>
  (await readFile(path, 'utf8'))
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line));

describe('formatLeRobotPath', () => {
  it('fills zero-padded and plain fields', () => {
    expect(
      formatLeRobotPath('data/chunk-{episode_chunk:03d}/episode_{episode_index:06d}.parquet', {
        episode_chunk: 1,
        episode_index: 1234,
      }),
    ).toBe('data/chunk-001/episode_001234.parquet');
    expect(
      formatLeRobotPath('videos/{video_key}/e{episode_index}.mp4', { video_key: 'cam', episode_index: 5 }),
    ).toBe('videos/cam/e5.mp4');
    expect(() => formatLeRobotPath('{missing:03d}', {})).toThrow('no value for {missing}');
  });
});

describe('writeLeRobotDataset / readLeRobotDataset', () => {
  const episodes = [
    syntheticEpisode(0, 4, 'stack the blocks'),
    syntheticEpisode(1, 5, 'open the drawer'),
    syntheticEpisode(2, 3, 'stack the blocks'),
  ];
  let root: string;
  beforeAll(async () => {
    root = join(tmp, 'synthetic');
    await writeLeRobotDataset(root, episodes, { robotType: 'test_arm', actionNames: ['x', 'grip'] });
  });

  it('round-trips actions, states, images and instructions exactly', async () => {
    const back = await readLeRobotDataset(root);
    expect(back.episodes).toHaveLength(3);
    back.episodes.forEach((episode, i) => {
      const original = episodes[i];
      expect(episode.index).toBe(i);
      expect(episode.length).toBe(original.length);
      expect(episode.instruction).toBe(original.instruction);
      expect(episode.fps).toBe(10);
      expect(episode.actions).toEqual(original.actions);
      expect(episode.states).toEqual(original.states);
      expect(episode.stateDim).toBe(3);
      expect(episode.timestamps).toEqual(Float32Array.from({ length: original.length }, (_, t) => t / 10));
      expect(Object.keys(episode.images!).sort()).toEqual(['front', 'wrist']);
      for (const camera of ['front', 'wrist']) {
        episode.images![camera].forEach((image, t) => {
          const expected = original.images![camera][t];
          expect([image.width, image.height]).toEqual([expected.width, expected.height]);
          expect(image.data).toEqual(expected.data);
        });
      }
    });
    expect(back.skippedVideoKeys).toEqual([]);
  });

  it('writes the v2.1 meta files', async () => {
    const info = await readJson(join(root, 'meta', 'info.json'));
    expect(info).toEqual({
      codebase_version: 'v2.1',
      robot_type: 'test_arm',
      total_episodes: 3,
      total_frames: 12,
      total_tasks: 2,
      total_videos: 0,
      total_chunks: 1,
      chunks_size: 1000,
      fps: 10,
      splits: { train: '0:3' },
      data_path: 'data/chunk-{episode_chunk:03d}/episode_{episode_index:06d}.parquet',
      video_path: null,
      features: {
        'observation.state': { dtype: 'float32', shape: [3], names: null },
        action: { dtype: 'float32', shape: [2], names: ['x', 'grip'] },
        'observation.images.front': {
          dtype: 'image',
          shape: [4, 6, 3],
          names: ['height', 'width', 'channel'],
        },
        'observation.images.wrist': {
          dtype: 'image',
          shape: [2, 3, 3],
          names: ['height', 'width', 'channel'],
        },
        timestamp: { dtype: 'float32', shape: [1], names: null },
        frame_index: { dtype: 'int64', shape: [1], names: null },
        episode_index: { dtype: 'int64', shape: [1], names: null },
        index: { dtype: 'int64', shape: [1], names: null },
        task_index: { dtype: 'int64', shape: [1], names: null },
      },
    });
    expect(await readLines(join(root, 'meta', 'episodes.jsonl'))).toEqual([
      { episode_index: 0, tasks: ['stack the blocks'], length: 4 },
      { episode_index: 1, tasks: ['open the drawer'], length: 5 },
      { episode_index: 2, tasks: ['stack the blocks'], length: 3 },
    ]);
    expect(await readLines(join(root, 'meta', 'tasks.jsonl'))).toEqual([
      { task_index: 0, task: 'stack the blocks' },
      { task_index: 1, task: 'open the drawer' },
    ]);
    expect((await readdir(join(root, 'data', 'chunk-000'))).sort()).toEqual([
      'episode_000000.parquet',
      'episode_000001.parquet',
      'episode_000002.parquet',
    ]);
    expect((await readdir(tmp)).filter((name) => name.includes('.tmp-') || name.includes('.old-'))).toEqual(
      [],
    );
  });

  it('numbers frames globally and tags task indices in the parquet columns', async () => {
    const table = await readLeRobotEpisodeTable(join(root, 'data', 'chunk-000', 'episode_000001.parquet'));
    expect(table.columns).toEqual([
      'observation.state',
      'action',
      'observation.images.front',
      'observation.images.wrist',
      'timestamp',
      'frame_index',
      'episode_index',
      'index',
      'task_index',
    ]);
    expect(table.frameIndex).toEqual([0, 1, 2, 3, 4]);
    expect(table.index).toEqual([4, 5, 6, 7, 8]);
    expect(table.episodeIndex).toEqual([1, 1, 1, 1, 1]);
    expect(table.taskIndex).toEqual([1, 1, 1, 1, 1]);
    const third = await readLeRobotEpisodeTable(join(root, 'data', 'chunk-000', 'episode_000002.parquet'));
    expect(third.index).toEqual([9, 10, 11]);
    expect(third.taskIndex).toEqual([0, 0, 0]);
  });

  it('writes stats.json over all frames and episodes_stats.jsonl per episode', async () => {
    const stats = (await readJson(join(root, 'meta', 'stats.json'))) as Record<
      string,
      Record<string, unknown>
    >;
    expect(Object.keys(stats).sort()).toEqual(
      [
        'action',
        'episode_index',
        'frame_index',
        'index',
        'observation.images.front',
        'observation.images.wrist',
        'observation.state',
        'task_index',
        'timestamp',
      ].sort(),
    );
    // index runs 0..11: mean 5.5, population std sqrt((12^2 - 1) / 12), q01 = 0.11, q99 = 10.89.
    expect(stats.index.min).toEqual([0]);
    expect(stats.index.max).toEqual([11]);
    expect(stats.index.mean).toEqual([5.5]);
    expect((stats.index.std as number[])[0]).toBeCloseTo(Math.sqrt(143 / 12), 12);
    expect((stats.index.q01 as number[])[0]).toBeCloseTo(0.11, 12);
    expect((stats.index.q99 as number[])[0]).toBeCloseTo(10.89, 12);
    expect(stats.index.count).toEqual([12]);
    // episode_index per frame: 4 zeros, 5 ones, 3 twos → mean 11/12.
    expect((stats.episode_index.mean as number[])[0]).toBeCloseTo(11 / 12, 14);
    const front = stats['observation.images.front'];
    expect((front.mean as number[][][]).map((c) => [c.length, c[0].length])).toEqual([
      [1, 1],
      [1, 1],
      [1, 1],
    ]);
    let sum = 0;
    let n = 0;
    for (const e of episodes) {
      for (const { data } of e.images!.front) {
        for (let i = 0; i < data.length; i += 3) {
          sum += data[i];
          n++;
        }
      }
    }
    expect((front.mean as number[][][])[0][0][0]).toBeCloseTo(sum / n / 255, 12);

    const perEpisode = (await readLines(join(root, 'meta', 'episodes_stats.jsonl'))) as {
      episode_index: number;
      stats: Record<string, Record<string, number[]>>;
    }[];
    expect(perEpisode.map((e) => e.episode_index)).toEqual([0, 1, 2]);
    expect(perEpisode.map((e) => e.stats.action.count)).toEqual([[4], [5], [3]]);
    expect(Object.keys(perEpisode[1].stats.action).sort()).toEqual(['count', 'max', 'mean', 'min', 'std']);
    expect(perEpisode[1].stats.index.min).toEqual([4]);
    expect(perEpisode[1].stats.index.max).toEqual([8]);
  });

  it('hand-checks action statistics on actions [[0],[1],[2],[3]]', async () => {
    const dir = join(tmp, 'tiny');
    const tiny: RobotEpisode = {
      index: 0,
      instruction: 'count',
      fps: 2,
      length: 4,
      actions: Float32Array.of(0, 1, 2, 3),
      actionDim: 1,
    };
    await writeLeRobotDataset(dir, [tiny], { robotType: 'none' });
    const stats = (await readJson(join(dir, 'meta', 'stats.json'))) as Record<
      string,
      Record<string, number[]>
    >;
    expect(stats.action.min).toEqual([0]);
    expect(stats.action.max).toEqual([3]);
    expect(stats.action.mean).toEqual([1.5]);
    expect(stats.action.std[0]).toBeCloseTo(Math.sqrt(1.25), 14);
    expect(stats.action.q01[0]).toBeCloseTo(0.03, 12);
    expect(stats.action.q99[0]).toBeCloseTo(2.97, 12);
    expect(stats.action.count).toEqual([4]);
    expect(stats.timestamp.max).toEqual([1.5]);
    expect(stats['observation.state']).toBeUndefined();
    const back = await readLeRobotDataset(dir);
    expect(back.episodes[0].states).toBeUndefined();
    expect(back.episodes[0].images).toBeUndefined();
  });

  it('refuses to overwrite a non-empty directory unless asked, and replaces it atomically when asked', async () => {
    const dir = join(tmp, 'replace');
    await mkdir(dir);
    await writeFile(join(dir, 'keep.txt'), 'old');
    await expect(writeLeRobotDataset(dir, episodes, { robotType: 'x' })).rejects.toThrow(
      `${dir}: exists and is not empty; pass overwrite: true to replace it`,
    );
    expect(await readdir(dir)).toEqual(['keep.txt']);
    await writeLeRobotDataset(dir, [episodes[1]], { robotType: 'x', overwrite: true });
    expect((await readdir(dir)).sort()).toEqual(['data', 'meta']);
    expect((await readLeRobotDataset(dir)).episodes[0].actions).toEqual(episodes[1].actions);
    expect((await readdir(tmp)).filter((name) => name.includes('.tmp-') || name.includes('.old-'))).toEqual(
      [],
    );

    const empty = join(tmp, 'empty');
    await mkdir(empty);
    await writeLeRobotDataset(empty, [episodes[0]], { robotType: 'x' });
    expect((await readLeRobotDataset(empty)).episodes).toHaveLength(1);
  });

  it('rejects inconsistent episodes before touching the disk', async () => {
    const dir = join(tmp, 'bad');
    const wide = { ...episodes[1], actionDim: 5, actions: new Float32Array(25) };
    await expect(writeLeRobotDataset(dir, [episodes[0], wide], { robotType: 'x' })).rejects.toThrow(
      'episode 1: action: expected float32 [2], got [5]',
    );
    const otherFps = { ...episodes[1], fps: 15 };
    await expect(writeLeRobotDataset(dir, [episodes[0], otherFps], { robotType: 'x' })).rejects.toThrow(
      'episode 1: fps 15 differs from the dataset fps 10',
    );
    const broken = { ...episodes[1], states: new Float32Array(3) };
    await expect(writeLeRobotDataset(dir, [broken], { robotType: 'x' })).rejects.toThrow(
      'episode 0: states: expected float32 [5, 3], got 3 values',
    );
    const noWrist = { ...episodes[1], images: { front: episodes[1].images!.front } };
    await expect(writeLeRobotDataset(dir, [episodes[0], noWrist], { robotType: 'x' })).rejects.toThrow(
      "episode 1: cameras [front] differ from episode 0's [front, wrist]",
    );
    expect(existsSync(dir)).toBe(false);
    expect((await readdir(tmp)).filter((name) => name.includes('.tmp-'))).toEqual([]);
  });

  it('spreads episodes over chunks by chunks_size', async () => {
    const dir = join(tmp, 'chunked');
    const { info } = await writeLeRobotDataset(dir, episodes, { robotType: 'x', chunksSize: 2 });
    expect(info.total_chunks).toBe(2);
    expect(existsSync(join(dir, 'data', 'chunk-001', 'episode_000002.parquet'))).toBe(true);
    const back = await readLeRobotDataset(dir, { episodes: [2], decodeImages: false });
    expect(back.episodes.map((e) => e.index)).toEqual([2]);
    expect(back.episodes[0].actions).toEqual(episodes[2].actions);
    expect(back.episodes[0].images).toBeUndefined();
  });
});

describe('observation.environment_state (RobotEpisode.environmentStates)', () => {
  /** An episode of `syntheticEpisode` with a 3-D environment state per step (an object's x, y, z). */
  const withEnvironment = (index: number, length: number, instruction: string): RobotEpisode => ({
    ...syntheticEpisode(index, length, instruction),
    environmentStates: Float32Array.from({ length: length * 3 }, (_, i) => Math.fround(index - i / 7)),
    environmentStateDim: 3,
  });
  const episodes = [withEnvironment(0, 4, 'lift the block'), withEnvironment(1, 5, 'open the drawer')];
  const names = ['target_x', 'target_y', 'target_z'];
  let root: string;
  beforeAll(async () => {
    root = join(tmp, 'environment');
    await writeLeRobotDataset(root, episodes, { robotType: 'test_arm', environmentStateNames: names });
  });

  it('round-trips exactly, as a float32 vector feature with names, after observation.state', async () => {
    const back = await readLeRobotDataset(root);
    back.episodes.forEach((episode, i) => {
      expect(episode.environmentStateDim).toBe(3);
      expect(episode.environmentStates).toBeInstanceOf(Float32Array);
      expect(episode.environmentStates).toEqual(episodes[i].environmentStates);
      expect(episode.states).toEqual(episodes[i].states);
      expect(episode.actions).toEqual(episodes[i].actions);
    });
    expect(back.info.features['observation.environment_state']).toEqual({
      dtype: 'float32',
      shape: [3],
      names,
    });
    expect(Object.keys(back.info.features).slice(0, 3)).toEqual([
      'observation.state',
      'observation.environment_state',
      'action',
    ]);
    const table = await readLeRobotEpisodeTable(join(root, 'data', 'chunk-000', 'episode_000001.parquet'), {
      decodeImages: false,
    });
    expect(table.columns.slice(0, 3)).toEqual([
      'observation.state',
      'observation.environment_state',
      'action',
    ]);
  });

  it('has statistics in stats.json and episodes_stats.jsonl', async () => {
    const stats = (await readJson(join(root, 'meta', 'stats.json'))) as Record<
      string,
      Record<string, number[]>
    >;
    const all = [...episodes[0].environmentStates!, ...episodes[1].environmentStates!];
    const x = all.filter((_, i) => i % 3 === 0);
    expect(stats['observation.environment_state'].count).toEqual([9]);
    expect(stats['observation.environment_state'].min[0]).toBeCloseTo(Math.min(...x), 6);
    expect(stats['observation.environment_state'].max[0]).toBeCloseTo(Math.max(...x), 6);
    const perEpisode = (await readLines(join(root, 'meta', 'episodes_stats.jsonl'))) as {
      stats: Record<string, Record<string, number[]>>;
    }[];
    expect(perEpisode.map((e) => e.stats['observation.environment_state'].count)).toEqual([[4], [5]]);
  });

  it('adds no column, feature or statistic to episodes without it', async () => {
    const dir = join(tmp, 'no-environment');
    await writeLeRobotDataset(dir, [syntheticEpisode(0, 3, 'x')], { robotType: 'test_arm' });
    const info = await readJson(join(dir, 'meta', 'info.json'));
    expect(Object.keys(info.features as object)).not.toContain('observation.environment_state');
    expect(Object.keys(await readJson(join(dir, 'meta', 'stats.json')))).not.toContain(
      'observation.environment_state',
    );
    const table = await readLeRobotEpisodeTable(join(dir, 'data', 'chunk-000', 'episode_000000.parquet'));
    expect(table.columns).not.toContain('observation.environment_state');
    const back = (await readLeRobotDataset(dir)).episodes[0];
    expect(back.environmentStates).toBeUndefined();
    expect(back.environmentStateDim).toBeUndefined();
    expect('environmentStates' in back).toBe(false);
  });

  it('rejects a malformed environment state, naming the episode, before touching the disk', async () => {
    const dir = join(tmp, 'bad-environment');
    const [first, second] = episodes;
    const { environmentStateDim: _, ...noDim } = second;
    await expect(writeLeRobotDataset(dir, [first, noDim], { robotType: 'x' })).rejects.toThrow(
      'episode 1: environmentStates and environmentStateDim must be given together',
    );
    const short = { ...second, environmentStates: new Float32Array(4) };
    await expect(writeLeRobotDataset(dir, [first, short], { robotType: 'x' })).rejects.toThrow(
      'episode 1: environmentStates: expected float32 [5, 3], got 4 values',
    );
    const zero = { ...second, environmentStates: new Float32Array(0), environmentStateDim: 0 };
    await expect(writeLeRobotDataset(dir, [zero], { robotType: 'x' })).rejects.toThrow(
      'episode 0: environmentStateDim must be an integer >= 1, got 0',
    );
    const without = syntheticEpisode(1, 5, 'open the drawer');
    await expect(writeLeRobotDataset(dir, [first, without], { robotType: 'x' })).rejects.toThrow(
      'episode 1: observation.environment_state: expected [3], got [none]',
    );
    await expect(
      writeLeRobotDataset(dir, [first], { robotType: 'x', environmentStateNames: ['x', 'y'] }),
    ).rejects.toThrow('environmentStateNames: expected 3 names, got 2');
    await expect(
      writeLeRobotDataset(dir, [without], { robotType: 'x', environmentStateNames: names }),
    ).rejects.toThrow('environmentStateNames given but the episodes have no such feature');
    expect(existsSync(dir)).toBe(false);
  });
});

describe.skipIf(!existsSync(G1))('the Unitree G1 LeRobot episode', () => {
  it('has 479 rows of 26-D finite actions and states, 30 Hz timestamps and frame_index 0..478', async () => {
    const table = await readLeRobotEpisodeTable(G1);
    expect(table.rows).toBe(479);
    expect(table.columns).toEqual([
      'observation.state',
      'action',
      'timestamp',
      'frame_index',
      'episode_index',
      'index',
      'task_index',
    ]);
    expect(table.actionDim).toBe(26);
    expect(table.stateDim).toBe(26);
    expect(table.actions.every(Number.isFinite)).toBe(true);
    expect(table.states!.every(Number.isFinite)).toBe(true);
    expect(table.frameIndex).toEqual(Array.from({ length: 479 }, (_, i) => i));
    const ts = table.timestamps!;
    expect(ts[0]).toBe(0);
    for (let t = 1; t < ts.length; t++) expect(ts[t] - ts[t - 1]).toBeCloseTo(1 / 30, 5);
    expect(table.taskIndex!.every((v) => v === 0)).toBe(true);
    // First action value, as stored (float32).
    expect(table.actions[0]).toBe(Math.fround(-0.6934276819229126));
  });

  it('re-writes as a LeRobot v2.1 dataset and reads back equal', async () => {
    const instruction = 'Pick up the yellow bottle on the table.';
    const episode = await readLeRobotEpisodeFile(G1, { instruction });
    expect(episode.fps).toBe(30);
    const dir = join(tmp, 'g1');
    const { info } = await writeLeRobotDataset(dir, [episode], { robotType: 'unitree_g1' });
    expect([info.total_frames, info.fps, info.features.action.shape]).toEqual([479, 30, [26]]);
    const back = (await readLeRobotDataset(dir)).episodes[0];
    expect(back.instruction).toBe(instruction);
    expect(back.length).toBe(479);
    expect(back.actions).toEqual(episode.actions);
    expect(back.states).toEqual(episode.states);
    expect(back.timestamps).toEqual(episode.timestamps);
    const original = await readLeRobotEpisodeTable(G1);
    const rewritten = await readLeRobotEpisodeTable(join(dir, 'data', 'chunk-000', 'episode_000000.parquet'));
    expect(rewritten.columns).toEqual(original.columns);
    expect(rewritten.index).toEqual(original.index);
    expect(rewritten.taskIndex).toEqual(original.taskIndex);
  });
});
