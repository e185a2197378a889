import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type EvaluationConfig,
  evaluate,
  evaluateShard,
  type ShardOutput,
} from '../../src/harness/evaluate.js';
import { mergeShards, readShard, readShards, shardFileName, writeShard } from '../../src/harness/merge.js';
import { parseShard, shardOf } from '../../src/harness/shard.js';
import { describeMachine } from '../../src/report/machine.js';
import { type BenchmarkReport, type EpisodeResult, toJson } from '../../src/report/results.js';

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'bench-shard-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe('shardOf', () => {
  it('deals items round robin: item k goes to shard k mod count', () => {
    const items = ['a', 'b', 'c', 'd', 'e'];
    expect(shardOf(items, 0, 2)).toEqual(['a', 'c', 'e']);
    expect(shardOf(items, 1, 2)).toEqual(['b', 'd']);
    expect(shardOf(items, 0, 1)).toEqual(items);
    expect(shardOf(items, 6, 7)).toEqual([]);
  });

  it('partitions any list: every item once, shard sizes within one of each other', () => {
    for (const length of [0, 1, 7, 50, 101]) {
      const items = Array.from({ length }, (_, k) => k);
      for (const count of [1, 2, 3, 4, 16, 200]) {
        const shards = Array.from({ length: count }, (_, i) => shardOf(items, i, count));
        expect(
          shards.flat().sort((a, b) => a - b),
          `${length} items in ${count}`,
        ).toEqual(items);
        const sizes = shards.map((s) => s.length);
        expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
      }
    }
  });

  it('mixes tasks in every shard of a task-major episode list', () => {
    const episodes = [0, 1, 2].flatMap((task) => [0, 1, 2, 3].map((trial) => `${task}/${trial}`));
    expect(shardOf(episodes, 1, 4)).toEqual(['0/1', '1/1', '2/1']);
    expect(shardOf(episodes, 0, 5)).toEqual(['0/0', '1/1', '2/2']);
  });

  it('rejects an index outside 0..count-1 or a count below 1', () => {
    expect(() => shardOf([1], 2, 2)).toThrow(/shard index must be an integer in 0\.\.1 .* got 2/);
    expect(() => shardOf([1], -1, 2)).toThrow(/got -1/);
    expect(() => shardOf([1], 0, 0)).toThrow(/shard count must be an integer ≥ 1, got 0/);
  });
});

describe('parseShard', () => {
  it('reads INDEX/COUNT, 0-based', () => {
    expect(parseShard('0/4')).toEqual({ index: 0, count: 4 });
    expect(parseShard('3/4')).toEqual({ index: 3, count: 4 });
    expect(parseShard(' 2 / 3 ')).toEqual({ index: 2, count: 3 });
    expect(parseShard('0/1')).toEqual({ index: 0, count: 1 });
  });

  it('names the flag and the text it rejects', () => {
    expect(() => parseShard('4/4')).toThrow(
      '--shard 4/4: the shard index must be in 0..3 (shards are numbered from 0, so the last of 4 is 3/4)',
    );
    expect(() => parseShard('0/0')).toThrow('--shard 0/0: the shard count must be at least 1');
    for (const bad of ['', '1', '1/', '/4', '-1/4', '1.5/4', 'a/b', '1/4/2', '1 of 4']) {
      expect(() => parseShard(bad), bad).toThrow(
        `--shard must be INDEX/COUNT, 0-based (e.g. 0/4 … 3/4), got "${bad}"`,
      );
    }
    expect(() => parseShard('x', '--part')).toThrow(/^--part must be INDEX\/COUNT/);
  });
});

/** report.json without the fields that say when the run ran (and, merged, the list of shards). */
function comparable(report: BenchmarkReport): unknown {
  const json = JSON.parse(toJson(report));
  delete json.meta.startedAt;
  delete json.meta.durationMs;
  delete json.meta.shards;
  return json;
}

function videoKeys(report: BenchmarkReport) {
  return (report.videos ?? []).map((v) => ({
    kind: v.kind,
    taskIndex: v.taskIndex,
    trial: v.trial,
    chain: v.chain,
    roles: v.roles,
    frames: v.frames,
    webp: Buffer.from(v.webp).toString('base64'),
  }));
}

describe('evaluateShard + mergeShards = evaluate', () => {
  it('episodes: 3 shards of the expert on libero-goal tasks 0 and 3, 2 trials, sample videos', async () => {
    const options = { trials: 2, tasks: [3, 0], imageSize: 16, videos: 'sample', workers: 0 } as const;
    const whole = await evaluate('expert', 'libero-goal', options);
    const parts: ShardOutput[] = [];
    for (const index of [2, 0, 1]) {
      parts.push(await evaluateShard('expert', 'libero-goal', { index, count: 3 }, options));
    }
    // Task-major in the order given (3/0, 3/1, 0/0, 0/1) dealt to shards 0, 1, 2, 0; each sorted by task.
    const keys = (p: ShardOutput) => p.results.map((r) => ('taskIndex' in r ? [r.taskIndex, r.trial] : []));
    expect(parts.map(keys)).toEqual([
      [[0, 0]],
      [
        [0, 1],
        [3, 0],
      ],
      [[3, 1]],
    ]);
    expect(parts.every((p) => p.planned === 4)).toBe(true);
    const merged = mergeShards(parts);
    expect(comparable(merged)).toEqual(comparable(whole));
    expect(videoKeys(merged)).toEqual(videoKeys(whole));
    expect(merged.videos?.length).toBe(2);
    expect(merged.meta.shards?.map((s) => [s.index, s.count, s.rollouts])).toEqual([
      [0, 3, 2],
      [1, 3, 1],
      [2, 3, 1],
    ]);
    const json = JSON.parse(toJson(merged));
    expect(Object.keys(json.meta)).toEqual([
      'policy',
      'seed',
      'startedAt',
      'durationMs',
      'machine',
      'run',
      'versions',
      'shards',
    ]);
  });

  it('chains: 2 shards of 4 expert calvin chains keep the same longest and shortest chain videos', async () => {
    const options = { chains: 4, imageSize: 16, videos: 'sample', workers: 0 } as const;
    const whole = await evaluate('expert', 'calvin', options);
    const parts = [
      await evaluateShard('expert', 'calvin', { index: 0, count: 2 }, options),
      await evaluateShard('expert', 'calvin', { index: 1, count: 2 }, options),
    ];
    // Through the files, as the CLI merges them.
    const dir = join(tmp, 'chains');
    for (const part of parts) await writeShard(dir, part);
    const merged = mergeShards(await readShards([dir]));
    expect(comparable(merged)).toEqual(comparable(whole));
    expect(videoKeys(merged)).toEqual(videoKeys(whole));
    // The expert completes every chain: chain 0 is both the longest and the shortest.
    expect(merged.videos?.map((v) => [v.chain, v.roles])).toEqual([[0, ['longest', 'shortest']]]);
  });

  it('an empty shard (more shards than episodes) runs nothing and merges', async () => {
    const options = { trials: 1, tasks: [0], workers: 0 } as const;
    const empty = await evaluateShard('expert', 'libero-goal', { index: 1, count: 2 }, options);
    expect(empty.results).toEqual([]);
    expect(empty.workers).toBe(0);
    const full = await evaluateShard('expert', 'libero-goal', { index: 0, count: 2 }, options);
    const merged = mergeShards([empty, full]);
    expect(merged.kind === 'episodes' && merged.episodes.length).toBe(1);
  });
});

// Synthetic shards of a 2-task × 2-trial run, for the checks: no simulation needed.
const CONFIG: EvaluationConfig = {
  suite: 'libero-goal',
  kind: 'episodes',
  policy: 'random',
  seed: 0,
  replanSteps: 5,
  imageSize: 16,
  videos: 'none',
  firstTrial: 0,
  trials: 2,
  tasks: [0, 1],
};

function episode(taskIndex: number, trial: number): EpisodeResult {
  return {
    suite: 'libero-goal',
    taskIndex,
    taskName: `task-${taskIndex}`,
    instruction: `do ${taskIndex}`,
    trial,
    seed: 1000 * taskIndex + trial,
    success: trial === 0,
    steps: 10 + trial,
  };
}

function fakeShard(index: number, count: number, overrides: Partial<ShardOutput> = {}): ShardOutput {
  const all = [episode(0, 0), episode(0, 1), episode(1, 0), episode(1, 1)];
  return {
    shard: { index, count },
    config: CONFIG,
    planned: 4,
    startedAt: new Date(Date.UTC(2025, 0, 1, 0, index)).toISOString(),
    durationMs: 1000,
    machine: describeMachine(),
    versions: { node: 'v20.0.0', '@roboalign/bench': '0.1.0' },
    workers: index + 1,
    results: shardOf(all, index, count),
    videos: [],
    ...overrides,
  };
}

describe('mergeShards: refusals', () => {
  it('merges synthetic shards: timing spans the shards, workers is the most any used', () => {
    const report = mergeShards([fakeShard(1, 2), fakeShard(0, 2)]);
    expect(report.kind).toBe('episodes');
    if (report.kind !== 'episodes') return;
    expect(report.episodes.map((e) => [e.taskIndex, e.trial])).toEqual([
      [0, 0],
      [0, 1],
      [1, 0],
      [1, 1],
    ]);
    expect(report.successRate).toBe(0.5);
    expect(report.meta.startedAt).toBe('2025-01-01T00:00:00.000Z');
    expect(report.meta.durationMs).toBe(61_000);
    expect(report.meta.run).toMatchObject({ trials: 2, tasks: [0, 1], workers: 2, videos: 'none' });
  });

  it('sample videos: per slot the best claim over all shards, as an unsharded run keeps them', () => {
    // Chains 0..3 completed 3, 5, 1, 1. Unsharded: longest chain 1; shortest chain 2 (ties: the lower number).
    const completed = [3, 5, 1, 1];
    const chain = (c: number) => ({
      chain: c,
      seed: c,
      tasks: ['a', 'b', 'c', 'd', 'e'],
      completed: completed[c],
    });
    const video = (c: number, roles: string[]) => ({
      kind: 'chain' as const,
      suite: 'calvin',
      roles,
      chain: c,
      completed: completed[c],
      instructions: ['a'],
      success: completed[c] === 5,
      steps: 10,
      frames: 2,
      width: 32,
      height: 16,
      speed: 2,
      durationMs: 100,
      webp: new Uint8Array([c]),
    });
    const config: EvaluationConfig = {
      ...CONFIG,
      suite: 'calvin',
      kind: 'chains',
      videos: 'sample',
      trials: undefined,
      tasks: undefined,
      chains: 4,
    };
    // Each shard kept its own longest and shortest.
    const shard0 = fakeShard(0, 2, {
      config,
      results: [chain(0), chain(2)],
      videos: [video(0, ['longest']), video(2, ['shortest'])],
    });
    const shard1 = fakeShard(1, 2, {
      config,
      results: [chain(1), chain(3)],
      videos: [video(1, ['longest']), video(3, ['shortest'])],
    });
    const report = mergeShards([shard0, shard1]);
    expect(report.videos?.map((v) => [v.chain, v.roles])).toEqual([
      [1, ['longest']],
      [2, ['shortest']],
    ]);
    expect(report.kind === 'chains' && report.avgLen).toBe(2.5);
  });

  it('refuses a shard given twice', () => {
    expect(() => mergeShards([fakeShard(0, 2), fakeShard(1, 2), fakeShard(0, 2)])).toThrow(
      'merge: shard 0/2 is given twice: shard 0/2 and shard 0/2',
    );
  });

  it('refuses missing shards, naming them', () => {
    expect(() => mergeShards([fakeShard(1, 4), fakeShard(3, 4)])).toThrow(
      /missing 2 of 4 shards: 0\/4, 2\/4/,
    );
  });

  it('refuses shards split into different counts', () => {
    expect(() => mergeShards([fakeShard(0, 2), fakeShard(1, 3)])).toThrow(
      'merge: the shards were split differently: shard 0/2 is one of 2, shard 1/3 one of 3',
    );
  });

  it('refuses shards of different configurations, naming each differing setting', () => {
    const other = fakeShard(1, 2, { config: { ...CONFIG, seed: 7, policy: 'ws://b:8000' } });
    expect(() => mergeShards([fakeShard(0, 2), other])).toThrow(
      'merge: shard 0/2 and shard 1/2 are shards of different evaluations: policy "random" vs "ws://b:8000", seed 0 vs 7',
    );
    const reordered = fakeShard(1, 2, { config: { ...CONFIG, tasks: [1, 0] } });
    expect(() => mergeShards([fakeShard(0, 2), reordered])).toThrow(/tasks \[0,1\] vs \[1,0\]/);
  });

  it('refuses shards that ran different software', () => {
    const other = fakeShard(1, 2, { versions: { node: 'v22.1.0', '@roboalign/bench': '0.1.0' } });
    expect(() => mergeShards([fakeShard(0, 2), other])).toThrow(
      'merge: shard 0/2 and shard 1/2 ran different software: node v20.0.0 vs v22.1.0',
    );
  });

  it('refuses a shard whose results are not its share', () => {
    const lacking = fakeShard(1, 2, { results: [episode(0, 1)] });
    expect(() => mergeShards([fakeShard(0, 2), lacking])).toThrow(
      'merge: shard 1/2 does not hold its share of the run; it lacks task 1 trial 1',
    );
    const foreign = fakeShard(1, 2, { results: [episode(0, 1), episode(1, 1), episode(0, 0)] });
    expect(() => mergeShards([fakeShard(0, 2), foreign])).toThrow(
      /it has task 0 trial 0, which are not its share/,
    );
    const twice = fakeShard(1, 2, { results: [episode(0, 1), episode(1, 1), episode(1, 1)] });
    expect(() => mergeShards([fakeShard(0, 2), twice])).toThrow(
      'merge: shard 1/2 lists task 1 trial 1 twice',
    );
  });

  it('refuses nothing to merge', () => {
    expect(() => mergeShards([])).toThrow('merge: no shard outputs to merge');
  });
});

describe('writeShard / readShards', () => {
  it('round-trips a shard with a video; shards of one run may share a folder', async () => {
    const dir = join(tmp, 'shared');
    const webp = new Uint8Array([1, 2, 3, 4]);
    const video = {
      kind: 'episode' as const,
      suite: 'libero-goal',
      roles: ['failure'],
      taskIndex: 0,
      trial: 1,
      instructions: ['do 0'],
      success: false,
      steps: 11,
      frames: 3,
      width: 32,
      height: 16,
      speed: 2,
      durationMs: 1200,
      webp,
    };
    const file = await writeShard(dir, fakeShard(1, 2, { videos: [video] }));
    await writeShard(dir, fakeShard(0, 2));
    expect(file).toBe(join(dir, shardFileName({ index: 1, count: 2 })));
    expect((await readdir(dir)).sort()).toEqual([
      'shard-0-of-2.json',
      'shard-1-of-2.json',
      'shard-1-of-2.videos',
    ]);
    const back = await readShard(file);
    expect(back.source).toBe(file);
    expect(back.results).toEqual(fakeShard(1, 2).results);
    expect(back.videos).toEqual([video]);
    // The folder and a file in it name one shard, not two.
    const shards = await readShards([dir, file]);
    expect(shards.map((s) => s.shard.index)).toEqual([0, 1]);
    // Rewriting a shard replaces its videos.
    await writeShard(dir, fakeShard(1, 2));
    expect((await readdir(dir)).sort()).toEqual(['shard-0-of-2.json', 'shard-1-of-2.json']);
  });

  it('names a shard file given twice (two folders), a folder without shards, and a file that is not one', async () => {
    const a = join(tmp, 'a');
    const b = join(tmp, 'b');
    await writeShard(a, fakeShard(0, 2));
    await writeShard(b, fakeShard(0, 2));
    await writeShard(b, fakeShard(1, 2));
    await expect(readShards([a, b]).then(mergeShards)).rejects.toThrow(
      `merge: shard 0/2 is given twice: ${join(a, 'shard-0-of-2.json')} (shard 0/2) and ${join(b, 'shard-0-of-2.json')} (shard 0/2)`,
    );
    const empty = join(tmp, 'empty');
    await writeShard(join(empty, 'nested'), fakeShard(0, 1));
    await expect(readShards([empty])).rejects.toThrow(/holds no shard-<i>-of-<n>\.json/);
    await expect(readShards([join(tmp, 'nope')])).rejects.toThrow(/nope does not exist/);
    await expect(readShards([])).rejects.toThrow(/name the folders/);
    const bogus = join(tmp, 'bogus.json');
    await writeFile(bogus, '{"kind": "episodes"}');
    await expect(readShards([bogus])).rejects.toThrow(/is not a roboalign-bench-shard file/);
    await writeFile(bogus, 'not json');
    await expect(readShards([bogus])).rejects.toThrow(/cannot read .*bogus\.json/);
    expect(JSON.parse(await readFile(join(b, 'shard-1-of-2.json'), 'utf8')).format).toBe(
      'roboalign-bench-shard',
    );
  });
});
