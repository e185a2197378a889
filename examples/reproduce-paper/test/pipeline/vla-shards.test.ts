import { createHash } from 'node:crypto';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { shardOf, wilsonInterval } from '@roboalign/bench';
import type { RobotEpisode } from '@roboalign/datasets';
import { mulberry32 } from '@roboalign/utils';
import type { Conversation, Features, RgbImage, Vlm } from '@roboalign/vlm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileUnitMemo, type UnitMemo } from '../../src/pipeline/unit-memo.js';
import {
  benchmarkVla,
  benchmarkVlaShard,
  bootstrapMean,
  plannedVlaChains,
  plannedVlaEpisodes,
  rolloutSeed,
  type VlaBenchmarkOptions,
  type VlaChainResult,
  type VlaEpisodeResult,
  type VlaScores,
  type VlaShardOutput,
  vlaPlan,
  vlaResultKey,
  vlaScores,
  vlaShare,
} from '../../src/pipeline/vla.js';
import { mergeVlaShards, readVlaShard, readVlaShards, writeVlaShard } from '../../src/pipeline/vla-shards.js';

// A plan of 2 head seeds × 2 suites × 2 tasks × 2 trials = 16 episodes and 2 × 3 = 6 chains, tasks given
// out of order (the unsharded order sorts them).
const OPTIONS: VlaBenchmarkOptions = {
  suites: ['libero-goal', 'libero-object'],
  tasks: [2, 0],
  frameStride: 2,
  headSteps: 10,
  headSeeds: 2,
  seed: 3,
  trials: 2,
  chains: 3,
  replanSteps: 5,
  imageSize: 16,
  policySeed: 11,
};
const PLAN = vlaPlan(OPTIONS);

// Outcomes as a function of the rollout, with successes and failures in every suite and every chain length.
const success = (head: number, suite: number, task: number, trial: number) =>
  (head * 7 + suite * 5 + task * 3 + trial) % 3 === 0;
const completed = (head: number, chain: number) => (head * 3 + chain * 2) % 6;

/** Every episode and chain of the plan with its outcome, written out here in the unsharded order. */
function allResults(): { episodes: VlaEpisodeResult[]; chains: VlaChainResult[] } {
  const episodes: VlaEpisodeResult[] = [];
  const chains: VlaChainResult[] = [];
  for (const head of [0, 1]) {
    OPTIONS.suites.forEach((suite, s) => {
      let episode = 0;
      for (const taskIndex of [0, 2])
        for (const trial of [0, 1])
          episodes.push({
            head,
            suite,
            episode: episode++,
            taskIndex,
            trial,
            success: success(head, s, taskIndex, trial),
          });
    });
    for (const chain of [0, 1, 2]) chains.push({ head, chain, completed: completed(head, chain) });
  }
  return { episodes, chains };
}

const HEAD_LOSS = { libero: [0.5, 0.25], calvin: [0.75, 0.125] };
const PROBE: VlaScores['probe'] = {
  actionR2: 0.3,
  ci95: [0.1, 0.5],
  lambda: 10,
  objectR2: 0.8,
  objectCi95: [0.7, 0.9],
  objectLambda: 0.01,
};

/** The n shard outputs, split here by hand: item k of each list goes to shard k mod n. */
function outputs(count: number): VlaShardOutput[] {
  const { episodes, chains } = allResults();
  return Array.from({ length: count }, (_, index) => ({
    shard: { index, count },
    plan: structuredClone(PLAN),
    planned: { episodes: 16, chains: 6 },
    episodes: episodes.filter((_, k) => k % count === index),
    chains: chains.filter((_, k) => k % count === index),
    headLoss: structuredClone(HEAD_LOSS),
    probe: structuredClone(PROBE),
  }));
}

/** The scores benchmarkVla computed before sharding, written out: pooled per suite by head, task, trial. */
function expectedScores(): VlaScores {
  const libero: VlaScores['libero'] = {};
  OPTIONS.suites.forEach((suite, s) => {
    const outcomes: boolean[] = [];
    for (const head of [0, 1])
      for (const task of [0, 2]) for (const trial of [0, 1]) outcomes.push(success(head, s, task, trial));
    const successes = outcomes.filter(Boolean).length;
    const { low, high } = wilsonInterval(successes, 8);
    libero[suite] = { successRate: successes / 8, ci95: [low, high], episodes: 8, successes, outcomes };
  });
  const lengths = [0, 1].flatMap((head) => [0, 1, 2].map((chain) => completed(head, chain)));
  return {
    libero,
    calvin: {
      avgLen: lengths.reduce((a, b) => a + b, 0) / 6,
      ci95: bootstrapMean(lengths, 2000, 11),
      chains: 6,
      stepRates: [1, 2, 3, 4, 5].map((k) => lengths.filter((l) => l >= k).length / 6),
      lengths,
    },
    headLoss: HEAD_LOSS,
    probe: PROBE,
  };
}

describe('the VLA plan and its split into shards', () => {
  it('lists episodes by head seed, suite, task (ascending) and trial, and chains by head seed and chain', () => {
    expect(PLAN.tasks).toEqual({ 'libero-goal': [0, 2], 'libero-object': [0, 2] });
    const { episodes, chains } = allResults();
    expect(plannedVlaEpisodes(PLAN)).toEqual(episodes.map(({ success: _, ...key }) => key));
    expect(plannedVlaChains(PLAN)).toEqual(chains.map(({ completed: _, ...key }) => key));
    expect(vlaResultKey(episodes[5])).toBe('head 0 libero-object episode 1 (task 0, trial 1)');
    expect(vlaResultKey(chains[4])).toBe('head 1 calvin chain 1');
  });

  it.each([1, 2, 3, 5, 7, 30])(
    "splits round robin as bench's shardOf, every rollout once: %i shards",
    (n) => {
      const episodes = plannedVlaEpisodes(PLAN);
      const chains = plannedVlaChains(PLAN);
      const shares = Array.from({ length: n }, (_, i) => vlaShare(PLAN, { index: i, count: n }));
      shares.forEach((share, i) => {
        expect(share.episodes).toEqual(episodes.filter((_, k) => k % n === i));
        expect(share.chains).toEqual(chains.filter((_, k) => k % n === i));
        expect(share.episodes).toEqual(shardOf(episodes, i, n));
      });
      const sizes = shares.map((s) => s.episodes.length);
      expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
      expect(shares.flatMap((s) => s.episodes.map(vlaResultKey)).sort()).toEqual(
        episodes.map(vlaResultKey).sort(),
      );
      expect(shares.flatMap((s) => s.chains).length).toBe(6);
    },
  );

  it('gives every rollout its own sampling seed, from the policy seed, head seed and rollout alone', () => {
    const keys = [...plannedVlaEpisodes(PLAN), ...plannedVlaChains(PLAN)];
    const seeds = keys.map((k) => rolloutSeed(PLAN, k));
    expect(new Set(seeds).size).toBe(keys.length);
    // More trials or chains do not move the seeds of the rollouts both plans have.
    const bigger = vlaPlan({ ...OPTIONS, trials: 5, chains: 9 });
    expect(keys.map((k) => rolloutSeed(bigger, k))).toEqual(seeds);
    const other = vlaPlan({ ...OPTIONS, policySeed: 12 });
    expect(keys.map((k) => rolloutSeed(other, k)).filter((s, i) => s === seeds[i])).toEqual([]);
  });

  it('rejects options that plan no benchmark, saying why', () => {
    expect(() => vlaPlan({ ...OPTIONS, suites: ['libero-goal', 'libero-goal'] })).toThrow(
      'suite libero-goal is listed twice',
    );
    expect(() => vlaPlan({ ...OPTIONS, suites: ['calvin'] })).toThrow('calvin is a chain suite');
    expect(() => vlaPlan({ ...OPTIONS, tasks: [0, 99] })).toThrow('task index 99 is not in libero-goal');
    expect(() => vlaPlan({ ...OPTIONS, tasks: [1, 1] })).toThrow('tasks lists a task twice');
    expect(() => vlaPlan({ ...OPTIONS, trials: 0 })).toThrow('trials must be a positive integer, got 0');
    expect(() => vlaPlan({ ...OPTIONS, chains: -1 })).toThrow(
      'chains must be a non-negative integer, got -1',
    );
    expect(() => vlaPlan({ ...OPTIONS, chains: 1.5 })).toThrow(
      'chains must be a non-negative integer, got 1.5',
    );
    expect(() => vlaShare(PLAN, { index: 2, count: 2 })).toThrow('shard index');
  });
});

describe('mergeVlaShards', () => {
  it.each([1, 2, 3, 5, 30])('gives the unsharded scores, intervals included: %i shards', (n) => {
    const expected = expectedScores();
    const parts = outputs(n);
    expect(mergeVlaShards(parts)).toEqual(expected);
    // The order the shards come in, and their results within a shard, do not matter.
    const shuffled = [...parts].reverse().map((p) => ({
      ...p,
      episodes: [...p.episodes].reverse(),
      chains: [...p.chains].reverse(),
    }));
    expect(mergeVlaShards(shuffled)).toEqual(expected);
  });

  it('is what benchmarkVla scores unsharded: vlaScores of shard 0/1', () => {
    const [whole] = outputs(1);
    expect(mergeVlaShards(outputs(4))).toEqual(vlaScores(whole));
  });

  it('names the shards that are missing', () => {
    const parts = outputs(4);
    expect(() => mergeVlaShards([parts[0], parts[2]])).toThrow('missing 2 of 4 shards: 1/4, 3/4');
    expect(() => mergeVlaShards([])).toThrow('no shard outputs');
  });

  it('names a shard given twice', () => {
    const parts = outputs(3);
    expect(() => mergeVlaShards([...parts, parts[1]])).toThrow('shard 1/3 is given twice');
  });

  it('names shards split differently', () => {
    expect(() => mergeVlaShards([...outputs(3).slice(0, 2), outputs(2)[1]])).toThrow(
      'split differently: shard 0/3 is one of 3, shard 1/2 one of 2',
    );
  });

  it('names the plan fields in which shards differ', () => {
    const parts = outputs(3);
    parts[2] = { ...parts[2], plan: { ...parts[2].plan, trials: 3, policySeed: 12 } };
    expect(() => mergeVlaShards(parts)).toThrow(
      'shard 0/3 and shard 2/3 are shards of different VLA benchmarks: trials 2 vs 3, policySeed 11 vs 12',
    );
    const other = outputs(2);
    other[1].plan.tasks['libero-goal'] = [0, 1];
    expect(() => mergeVlaShards(other)).toThrow('tasks {"libero-goal":[0,2],"libero-object":[0,2]} vs');
  });

  it('names head figures that differ between shards, within a tolerance if given', () => {
    const parts = outputs(2);
    parts[1].headLoss.calvin[1] = 0.125 * (1 + 1e-7);
    expect(() => mergeVlaShards(parts)).toThrow(
      `shard 0/2 and shard 1/2 trained different heads (tolerance 0): headLoss.calvin[1] 0.125 vs ${0.125 * (1 + 1e-7)}`,
    );
    expect(mergeVlaShards(parts, { tolerance: 1e-6 })).toEqual(expectedScores());
    parts[1].probe = { ...PROBE!, objectLambda: 0.1 };
    expect(() => mergeVlaShards(parts, { tolerance: 1e-6 })).toThrow('probe.objectLambda 0.01 vs 0.1');
    parts[1].probe = { ...PROBE!, objectR2: null, objectCi95: null, objectLambda: null };
    expect(() => mergeVlaShards(parts, { tolerance: 1e-6 })).toThrow('probe.objectR2 fitted vs none');
    parts[1].probe = null;
    expect(() => mergeVlaShards(parts, { tolerance: 1e-6 })).toThrow('probe fitted vs none');
  });

  it('names results a shard lacks, lists twice, or holds that are not its share', () => {
    const lacking = outputs(3);
    lacking[1].episodes.pop();
    expect(() => mergeVlaShards(lacking)).toThrow(
      'shard 1/3 does not hold its share of the episodes; it lacks head 1 libero-object episode 1 (task 0, trial 1)',
    );
    const doubled = outputs(3);
    doubled[0].chains.push(doubled[0].chains[0]);
    expect(() => mergeVlaShards(doubled)).toThrow('shard 0/3 lists head 0 calvin chain 0 twice');
    const moved = outputs(3);
    moved[0].chains.push(moved[1].chains.pop()!);
    expect(() => mergeVlaShards(moved)).toThrow(
      'shard 0/3 does not hold its share of the chains; it has head 1 calvin chain 1, which are not its share',
    );
    // An outcome filed under the wrong trial is not the planned episode.
    const mislabeled = outputs(2);
    mislabeled[0].episodes[0] = { ...mislabeled[0].episodes[0], trial: 1 };
    expect(() => mergeVlaShards(mislabeled)).toThrow(
      'it lacks head 0 libero-goal episode 0 (task 0, trial 0)',
    );
  });

  it('names a shard whose count of planned rollouts disagrees with its plan', () => {
    const parts = outputs(2);
    parts[1] = { ...parts[1], planned: { episodes: 15, chains: 6 } };
    expect(() => mergeVlaShards(parts)).toThrow(
      'shard 1/2 says the run has 15 episodes and 6 chains, but its plan has 16 and 6',
    );
  });
});

describe('VLA shard files', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vla-shards-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('are written atomically as shard-I-of-N.json and read back to the same merge', async () => {
    const folder = join(dir, 'run');
    const parts = outputs(3);
    const files = [];
    for (const part of parts) files.push(await writeVlaShard(folder, part));
    expect(files).toEqual([0, 1, 2].map((i) => join(folder, `shard-${i}-of-3.json`)));
    // Only the finished files: no temporary file is left beside them.
    expect((await readdir(folder)).sort()).toEqual([
      'shard-0-of-3.json',
      'shard-1-of-3.json',
      'shard-2-of-3.json',
    ]);
    const loaded = await readVlaShards(folder);
    expect(loaded.map((s) => s.source)).toEqual(files);
    expect(mergeVlaShards(loaded)).toEqual(expectedScores());
    // Errors about loaded shards name their files.
    expect(() => mergeVlaShards([loaded[0], loaded[2]])).toThrow('missing 1 of 3 shards: 1/3');
    expect(() => mergeVlaShards([...loaded, loaded[2]])).toThrow(
      `${files[2]} (shard 2/3) and ${files[2]} (shard 2/3)`,
    );
  });

  it('refuse a file that is not a VLA shard output, naming it', async () => {
    const folder = join(dir, 'bad');
    await writeVlaShard(folder, outputs(1)[0]);
    const file = join(folder, 'shard-0-of-1.json');
    await writeFile(file, JSON.stringify({ format: 'roboalign-bench-shard', version: 1 }));
    await expect(readVlaShard(file)).rejects.toThrow(`${file} is not a roboalign-vla-shard file`);
    await writeFile(
      file,
      JSON.stringify({ ...outputs(1)[0], format: 'roboalign-vla-shard', version: 1, chains: [{}] }),
    );
    await expect(readVlaShard(file)).rejects.toThrow(`${file}: "chains" must list`);
    await expect(readVlaShards(join(dir, 'empty'))).rejects.toThrow('cannot list');
  });
});

// A stand-in VLM: three tokens (an image token first) whose features are pixels of the agent view, and a
// record of every observation the policy looked at, to compare the rollouts of a sharded and unsharded run.
const seen: string[] = [];
const fakeVlm = {
  config: { imageTokenId: 5 },
  async features(prompts: readonly Conversation[]): Promise<Features> {
    const length = 3;
    const width = 4;
    const count = prompts.length;
    const hidden = new Float32Array(count * length * width);
    const mask = new Uint8Array(count * length).fill(1);
    const ids = new Int32Array(count * length);
    prompts.forEach((prompt, r) => {
      const content = prompt.messages[0].content;
      const first = typeof content === 'string' ? undefined : content[0];
      const data = (first?.type === 'image' && first.image?.data) || new Uint8Array(0);
      if (count === 1) seen.push(createHash('sha1').update(data).digest('hex'));
      for (let s = 0; s < length; s++) {
        const k = r * length + s;
        ids[k] = s === 0 ? 5 : 10 + s;
        for (let w = 0; w < width; w++) hidden[k * width + w] = (data[(s * width + w) * 7] ?? 0) / 255 - 0.5;
      }
    });
    return { hidden, mask, ids, shape: [count, length, width], layer: 1 };
  },
} as unknown as Vlm;

const random = mulberry32(7);
const image = (): RgbImage => ({
  width: 2,
  height: 2,
  data: Uint8Array.from({ length: 12 }, () => Math.floor(256 * random())),
});
function demo(index: number, length: number): RobotEpisode {
  return {
    index,
    instruction: 'do it',
    fps: 20,
    length,
    actions: Float32Array.from({ length: length * 7 }, (_, i) =>
      i % 7 === 3 || i % 7 === 4 ? 0 : 2 * random() - 1,
    ),
    actionDim: 7,
    states: Float32Array.from({ length: length * 8 }, () => random()),
    stateDim: 8,
    images: { image: Array.from({ length }, image), wrist_image: Array.from({ length }, image) },
  };
}

describe('benchmarkVla sharded on a tiny backbone', () => {
  // Ten LIBERO-style demonstrations, so that the probe is fitted too.
  const demos = {
    libero: { 'libero-goal': Array.from({ length: 10 }, (_, i) => demo(i, 4)) },
    calvin: [demo(0, 4), demo(1, 3)],
  };
  const tiny: VlaBenchmarkOptions = {
    suites: ['libero-goal'],
    tasks: [0],
    frameStride: 1,
    headSteps: 2,
    headSeeds: 2,
    seed: 3,
    trials: 2,
    chains: 2,
    replanSteps: 8,
    imageSize: 16,
    headBatch: 4,
    policySeed: 11,
  };

  it('merges three shards into the scores of the unsharded run, each rollout seeing the same observations', async () => {
    seen.length = 0;
    const whole = await benchmarkVla(fakeVlm, demos, tiny);
    const wholeSeen = [...seen];
    seen.length = 0;
    const parts: VlaShardOutput[] = [];
    for (let i = 0; i < 3; i++)
      parts.push(await benchmarkVlaShard(fakeVlm, demos, { ...tiny, shard: { index: i, count: 3 } }));
    expect(whole.libero['libero-goal'].episodes).toBe(4);
    expect(whole.calvin!.chains).toBe(4);
    expect(whole.probe).not.toBeNull();
    // These demonstrations carry no environment state: no object probe, and null rather than NaN.
    expect(whole.probe).toMatchObject({ objectR2: null, objectCi95: null, objectLambda: null });
    expect(parts.map((p) => [p.episodes.length, p.chains.length])).toEqual([
      [2, 2],
      [1, 1],
      [1, 1],
    ]);
    expect(mergeVlaShards(parts)).toEqual(whole);
    // The policies looked at the same observations, rollout by rollout: the same trajectories, in another order.
    expect(seen.length).toBe(wholeSeen.length);
    expect([...seen].sort()).toEqual([...wholeSeen].sort());
  }, 120_000);

  it('trains a head per suite and seed with headPerSuite, and merges its shards like the unsharded run', async () => {
    const twoSuites = {
      ...demos,
      libero: { ...demos.libero, 'libero-spatial': Array.from({ length: 6 }, (_, i) => demo(10 + i, 4)) },
    };
    const options = { ...tiny, suites: ['libero-goal', 'libero-spatial'], headPerSuite: true };
    const whole = await benchmarkVla(fakeVlm, twoSuites, options);
    const joint = await benchmarkVla(fakeVlm, twoSuites, { ...options, headPerSuite: false });
    // Head seeds × suites heads, seed-major; the joint run has one per seed.
    expect(whole.headLoss.libero).toHaveLength(4);
    expect(joint.headLoss.libero).toHaveLength(2);
    expect(whole.headLoss.libero).not.toEqual(joint.headLoss.libero);
    expect(whole.headLoss.calvin).toEqual(joint.headLoss.calvin);
    expect(Object.values(whole.libero).map((s) => s.episodes)).toEqual([4, 4]);
    const parts: VlaShardOutput[] = [];
    for (let i = 0; i < 2; i++)
      parts.push(await benchmarkVlaShard(fakeVlm, twoSuites, { ...options, shard: { index: i, count: 2 } }));
    expect(mergeVlaShards(parts)).toEqual(whole);
  }, 120_000);

  it('leaves the CALVIN-style part out with chains: 0 (no head, no chains, no demonstrations needed)', async () => {
    const whole = await benchmarkVla(fakeVlm, { ...demos, calvin: [] }, { ...tiny, chains: 0 });
    expect(whole.calvin).toBeNull();
    expect(whole.headLoss.calvin).toEqual([]);
    expect(whole.libero['libero-goal'].episodes).toBe(4);
    const withChains = await benchmarkVla(fakeVlm, demos, tiny);
    // The LIBERO-style part is the same run either way.
    expect(whole.libero).toEqual(withChains.libero);
    expect(whole.headLoss.libero).toEqual(withChains.headLoss.libero);
    const parts: VlaShardOutput[] = [];
    for (let i = 0; i < 2; i++)
      parts.push(
        await benchmarkVlaShard(fakeVlm, demos, { ...tiny, chains: 0, shard: { index: i, count: 2 } }),
      );
    expect(mergeVlaShards(parts)).toEqual(whole);
    await expect(benchmarkVla(fakeVlm, { ...demos, calvin: [] }, tiny)).rejects.toThrow(
      'runs CALVIN-style chains but has no CALVIN-style demonstrations',
    );
  }, 120_000);

  it('resumes at the first unfinished head with a unit memo, giving the uninterrupted scores', async () => {
    seen.length = 0;
    const whole = await benchmarkVla(fakeVlm, demos, tiny);
    const wholeSeen = [...seen];
    const dir = await mkdtemp(join(tmpdir(), 'vla-units-'));
    const path = join(dir, 'vla-base.json');
    // Killed as its second head (head seed 0's CALVIN-style head) finishes, before the stage could use it.
    const memo = await fileUnitMemo(path, 'hash');
    let finished = 0;
    const killing: UnitMemo = {
      run: async (unit, compute) => {
        const value = await memo.run(unit, compute);
        if (++finished === 2) throw new Error('killed');
        return value;
      },
    };
    seen.length = 0;
    await expect(benchmarkVla(fakeVlm, demos, { ...tiny, units: killing })).rejects.toThrow('killed');
    const beforeKill = [...seen];
    seen.length = 0;
    const resumed = await benchmarkVla(fakeVlm, demos, { ...tiny, units: await fileUnitMemo(path, 'hash') });
    expect(resumed).toEqual(whole);
    // The resumed run rolled out only the heads not finished before: together, every rollout once.
    expect(seen.length).toBeLessThan(wholeSeen.length);
    expect([...beforeKill, ...seen].sort()).toEqual([...wholeSeen].sort());
    // Every unit recorded: nothing is rolled out again.
    seen.length = 0;
    expect(await benchmarkVla(fakeVlm, demos, { ...tiny, units: await fileUnitMemo(path, 'hash') })).toEqual(
      whole,
    );
    expect(seen).toEqual([]);
    await rm(dir, { recursive: true, force: true });
  }, 120_000);

  it('names a suite that has no demonstrations before training anything', async () => {
    await expect(
      benchmarkVla(fakeVlm, demos, { ...tiny, suites: ['libero-goal', 'libero-spatial'] }),
    ).rejects.toThrow('no demonstrations of suite libero-spatial');
  });

  it('refuses a shard other than 0/1 in benchmarkVla, pointing at benchmarkVlaShard', async () => {
    await expect(benchmarkVla(fakeVlm, demos, { ...tiny, shard: { index: 1, count: 2 } })).rejects.toThrow(
      'options.shard is 1/2: run benchmarkVlaShard for each shard and merge their outputs with mergeVlaShards',
    );
  });
});
