import { describe, expect, it } from 'vitest';
import { VARIANTS } from '../../src/pipeline/variants.js';
import { runsVlaStage, vlaStageLoads, vlaWorkerStages } from '../../src/pipeline/vla-workers.js';
import { defaultJobs, threadsPerWorker, vlaWorkerArgs, workerFrom } from '../../src/vla-jobs.js';

// Every variant, in the pipeline's order.
const seven = VARIANTS;

const paperLike = {
  suites: ['libero-spatial', 'libero-object', 'libero-goal', 'libero-long'],
  headPerSuite: true,
  headSeeds: 1,
  chains: 30,
  ablationTrials: 1,
};

describe('vlaStageLoads', () => {
  it('counts the heads of each stage: suites (or one) plus a CALVIN-style head, per seed; four input sets', () => {
    const loads = vlaStageLoads(paperLike, ['base', 'roboalign']);
    expect(loads).toEqual([
      { stage: 'vla-base', heads: 5 },
      { stage: 'vla-roboalign', heads: 5 },
      { stage: 'vla-ablation', heads: 16 },
    ]);
    expect(
      vlaStageLoads({ ...paperLike, headPerSuite: false, headSeeds: 3, chains: 0, ablationTrials: 0 }, [
        'base',
      ]),
    ).toEqual([{ stage: 'vla-base', heads: 3 }]);
  });
});

describe('vlaWorkerStages', () => {
  it('deals the costliest stage first, each to the least loaded worker: every stage to exactly one', () => {
    const loads = vlaStageLoads(paperLike, seven);
    const zero = vlaWorkerStages(loads, { index: 0, count: 2 });
    const one = vlaWorkerStages(loads, { index: 1, count: 2 });
    // 16 | 5 → 16 | 10 → 16 | 15 → 16 | 20 → 21 | 20 → 21 | 25 → 26 | 25: 26 and 25 heads, where dealing
    // round robin gave 20 and 31.
    expect(zero).toEqual(['vla-ablation', 'vla-roboalign', 'vla-align-trajectory']);
    expect(one).toEqual([
      'vla-base',
      'vla-sft-mllm',
      'vla-sft-fast',
      'vla-roboalign-sft',
      'vla-align-highlevel',
    ]);
    // Equal stages alternate in the pipeline's order.
    const quickLike = vlaStageLoads({ ...paperLike, chains: 0, ablationTrials: 0 }, [
      'base',
      'roboalign-sft',
      'roboalign',
    ]);
    expect(vlaWorkerStages(quickLike, { index: 0, count: 2 })).toEqual(['vla-base', 'vla-roboalign']);
    expect(vlaWorkerStages(quickLike, { index: 1, count: 2 })).toEqual(['vla-roboalign-sft']);
    // More workers than stages: the last ones get nothing; one worker gets everything, in cost order.
    const one1 = vlaStageLoads(paperLike, ['base']);
    expect(vlaWorkerStages(one1, { index: 3, count: 4 })).toEqual([]);
    expect(vlaWorkerStages(one1, { index: 0, count: 1 })).toEqual(['vla-ablation', 'vla-base']);
  });

  it('rejects a worker outside 0..count-1 or a count below 1', () => {
    const loads = vlaStageLoads(paperLike, seven);
    expect(() => vlaWorkerStages(loads, { index: 2, count: 2 })).toThrow(/index must be in 0\.\.1, got 2/);
    expect(() => vlaWorkerStages(loads, { index: 0, count: 0 })).toThrow(/count must be a positive/);
  });
});

describe('runsVlaStage', () => {
  it('all runs every stage, none runs none, a worker runs its share', () => {
    const loads = vlaStageLoads(paperLike, seven);
    expect(runsVlaStage('all', 'vla-roboalign', loads)).toBe(true);
    expect(runsVlaStage('none', 'vla-base', loads)).toBe(false);
    const worker = { worker: { index: 0, count: 2 } };
    expect(runsVlaStage(worker, 'vla-ablation', loads)).toBe(true);
    expect(runsVlaStage(worker, 'vla-base', loads)).toBe(false);
  });
});

describe('the workers of --jobs', () => {
  it('force only VLA stages: a --from before them becomes the first VLA stage, a VLA --from passes', () => {
    expect(workerFrom(undefined)).toBeUndefined();
    expect(workerFrom('data')).toBe('vla-ablation');
    expect(workerFrom('demos')).toBe('vla-ablation');
    expect(workerFrom('vla-ablation')).toBe('vla-ablation');
    expect(workerFrom('vla-roboalign')).toBe('vla-roboalign');
  });

  it("get the run's options and their worker index", () => {
    expect(
      vlaWorkerArgs(
        { preset: 'paper', out: '/r', device: 'cpu', variants: ['base', 'roboalign'], from: 'base' },
        1,
        2,
      ),
    ).toEqual([
      '--preset',
      'paper',
      '--out',
      '/r',
      '--variants',
      'base,roboalign',
      '--device',
      'cpu',
      '--from',
      'vla-ablation',
      '--vla-worker',
      '1/2',
    ]);
    expect(vlaWorkerArgs({ preset: 'quick', out: '/q', device: 'cuda' }, 0, 3)).toEqual([
      '--preset',
      'quick',
      '--out',
      '/q',
      '--device',
      'cuda',
      '--vla-worker',
      '0/3',
    ]);
  });
});

describe('defaultJobs', () => {
  it('is a worker per core, at most one per VLA stage, at least one', () => {
    expect(defaultJobs(3, 2)).toBe(2);
    expect(defaultJobs(3, 16)).toBe(3);
    expect(defaultJobs(8, 16)).toBe(8);
    expect(defaultJobs(1, 16)).toBe(1);
    expect(defaultJobs(3, 1)).toBe(1);
  });
});

describe('threadsPerWorker', () => {
  it('splits the cores evenly between the workers, never below one thread', () => {
    expect(threadsPerWorker(1, 8)).toBe(8);
    expect(threadsPerWorker(2, 2)).toBe(1);
    expect(threadsPerWorker(2, 16)).toBe(8);
    expect(threadsPerWorker(3, 8)).toBe(2);
    expect(threadsPerWorker(4, 2)).toBe(1);
  });
});
