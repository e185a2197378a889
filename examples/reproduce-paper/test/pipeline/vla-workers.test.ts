import { mkdir, mkdtemp, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { VARIANTS } from '../../src/pipeline/variants.js';
import { claimVlaStage, runsVlaStage, vlaStageCount } from '../../src/pipeline/vla-workers.js';
import {
  defaultJobs,
  removeStaleClaims,
  threadsPerWorker,
  vlaWorkerArgs,
  workerFrom,
} from '../../src/vla-jobs.js';

// Every variant, in the pipeline's order.
const seven = VARIANTS;

describe('vlaStageCount', () => {
  it('is a benchmark per variant, plus the head-input ablation where the preset has one', () => {
    expect(vlaStageCount({ ablationTrials: 1 }, seven)).toBe(8);
    expect(vlaStageCount({ ablationTrials: 0 }, ['base', 'roboalign-sft', 'roboalign'])).toBe(3);
  });
});

describe('claimVlaStage', () => {
  it('gives each stage to exactly one of the claimers sharing a folder, even when they race', async () => {
    const claims = join(await mkdtemp(join(tmpdir(), 'claims-')), 'run-1');
    const racing = await Promise.all(Array.from({ length: 8 }, () => claimVlaStage(claims, 'vla-base')));
    expect(racing.filter(Boolean)).toHaveLength(1);
    expect(await claimVlaStage(claims, 'vla-base')).toBe(false);
    expect(await claimVlaStage(claims, 'vla-roboalign')).toBe(true);
    // Another run's folder holds nothing back.
    expect(await claimVlaStage(`${claims}-next`, 'vla-base')).toBe(true);
  });

  it('passes on errors other than a claim taken, naming the path', async () => {
    const file = join(await mkdtemp(join(tmpdir(), 'claims-')), 'not-a-folder');
    await writeFile(file, '');
    await expect(claimVlaStage(file, 'vla-base')).rejects.toThrow(/not-a-folder/);
  });
});

describe('removeStaleClaims', () => {
  it("removes the claims folders of ended runs only, keeping running runs' and other names", async () => {
    const parent = await mkdtemp(join(tmpdir(), 'claims-'));
    for (const name of ['111-1700000000000', '222-1700000000001', 'notes', '333-x'])
      await mkdir(join(parent, name, 'vla-base'), { recursive: true });
    const running = new Set([222]);
    const removed = await removeStaleClaims(parent, (pid) => running.has(pid));
    expect(removed).toEqual(['111-1700000000000']);
    expect((await readdir(parent)).sort()).toEqual(['222-1700000000001', '333-x', 'notes']);
  });

  it('asks the system by default (this process runs), and a missing folder holds nothing', async () => {
    const parent = await mkdtemp(join(tmpdir(), 'claims-'));
    await mkdir(join(parent, `${process.pid}-1`));
    expect(await removeStaleClaims(parent)).toEqual([]);
    expect(await removeStaleClaims(join(parent, 'absent'))).toEqual([]);
  });
});

describe('runsVlaStage', () => {
  it('all runs every stage, none runs none, a worker runs the stages it claims', async () => {
    expect(await runsVlaStage('all', 'vla-roboalign')).toBe(true);
    expect(await runsVlaStage('none', 'vla-base')).toBe(false);
    const worker = { claims: await mkdtemp(join(tmpdir(), 'claims-')) };
    expect(await runsVlaStage(worker, 'vla-ablation')).toBe(true);
    expect(await runsVlaStage(worker, 'vla-ablation')).toBe(false);
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
        '/r/stages/claims/7',
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
      '--vla-claims',
      '/r/stages/claims/7',
    ]);
    expect(vlaWorkerArgs({ preset: 'quick', out: '/q', device: 'cuda' }, 0, 3, '/c')).toEqual([
      '--preset',
      'quick',
      '--out',
      '/q',
      '--device',
      'cuda',
      '--vla-worker',
      '0/3',
      '--vla-claims',
      '/c',
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
