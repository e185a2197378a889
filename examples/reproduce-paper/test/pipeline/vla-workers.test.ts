import { describe, expect, it } from 'vitest';
import { VARIANTS } from '../../src/pipeline/variants.js';
import { runsVlaStage, vlaWorkerStages } from '../../src/pipeline/vla-workers.js';
import { defaultJobs, threadsPerWorker, vlaWorkerArgs, workerFrom } from '../../src/vla-jobs.js';

// Every variant, in the pipeline's order.
const seven = VARIANTS;

describe('vlaWorkerStages', () => {
  it('deals the benchmarks, then the ablation, round robin: every stage to exactly one worker', () => {
    expect(vlaWorkerStages(seven, true, { index: 0, count: 2 })).toEqual([
      'vla-base',
      'vla-sft-fast',
      'vla-roboalign',
      'vla-align-trajectory',
    ]);
    expect(vlaWorkerStages(seven, true, { index: 1, count: 2 })).toEqual([
      'vla-sft-mllm',
      'vla-roboalign-sft',
      'vla-align-highlevel',
      'vla-ablation',
    ]);
    expect(vlaWorkerStages(['base', 'roboalign-sft', 'roboalign'], false, { index: 1, count: 2 })).toEqual([
      'vla-roboalign-sft',
    ]);
    // More workers than stages: the last ones get nothing.
    expect(vlaWorkerStages(['base'], false, { index: 3, count: 4 })).toEqual([]);
    expect(vlaWorkerStages(['base'], true, { index: 0, count: 1 })).toEqual(['vla-base', 'vla-ablation']);
  });

  it('rejects a worker outside 0..count-1 or a count below 1', () => {
    expect(() => vlaWorkerStages(seven, true, { index: 2, count: 2 })).toThrow(
      /index must be in 0\.\.1, got 2/,
    );
    expect(() => vlaWorkerStages(seven, true, { index: 0, count: 0 })).toThrow(/count must be a positive/);
  });
});

describe('runsVlaStage', () => {
  it('all runs every stage, none runs none, a worker runs its share', () => {
    expect(runsVlaStage('all', 'vla-roboalign', seven, true)).toBe(true);
    expect(runsVlaStage('none', 'vla-base', seven, true)).toBe(false);
    const worker = { worker: { index: 1, count: 2 } };
    expect(runsVlaStage(worker, 'vla-ablation', seven, true)).toBe(true);
    expect(runsVlaStage(worker, 'vla-base', seven, true)).toBe(false);
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
