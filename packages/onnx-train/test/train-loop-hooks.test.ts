import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Graph } from '../src/graph.js';
import { linear } from '../src/layers.js';
import * as op from '../src/ops.js';
import { SGD } from '../src/optim.js';
import { trainLoop } from '../src/train-loop.js';
import { compileTraining, initialValues } from '../src/training.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'onnx-train-loop-hooks-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** y = w·x + b fitted to y = 2x on four fixed points. */
async function model() {
  const g = new Graph();
  const x = g.input('x', [4, 1]);
  const t = g.input('t', [4, 1]);
  const d = op.sub(linear(g, x, 'l', 1, { seed: 3 }), t);
  const program = await compileTraining(g, op.reduceMean(op.mul(d, d), [0, 1]));
  const feeds = {
    x: { data: Float32Array.of(-1, -0.5, 0.5, 1), shape: [4, 1], dtype: 'float32' as const },
    t: { data: Float32Array.of(-2, -1, 1, 2), shape: [4, 1], dtype: 'float32' as const },
  };
  return { g, program, feeds };
}

describe('trainLoop hooks', () => {
  it('calls afterUpdate once per step, after the weights changed and before the evaluation', async () => {
    const { g, program, feeds } = await model();
    const params = initialValues(g);
    const events: string[] = [];
    let lastWeight = params.get('l.weight')![0];
    await trainLoop({
      graph: g,
      program,
      params,
      optimizer: new SGD({ lr: 0.1 }),
      batch: (i) => {
        events.push(`batch ${i}`);
        return feeds;
      },
      steps: 4,
      progress: false,
      afterUpdate: (step) => {
        const w = params.get('l.weight')![0];
        events.push(`update ${step} ${w !== lastWeight ? 'changed' : 'same'}`);
        lastWeight = w;
      },
      evalEvery: 2,
      evaluate: (step) => {
        events.push(`eval ${step}`);
        return { probe: step };
      },
    });
    expect(events).toEqual([
      'batch 0',
      'update 1 changed',
      'batch 1',
      'update 2 changed',
      'eval 2',
      'batch 2',
      'update 3 changed',
      'batch 3',
      'update 4 changed',
      'eval 4',
    ]);
  });

  it('merges evaluation metrics into the JSONL line and the history of the steps they ran at', async () => {
    const { g, program, feeds } = await model();
    const params = initialValues(g);
    const metricsPath = join(dir, 'eval', 'metrics.jsonl');
    // The evaluation reads the current weights: the distance of w from 2.
    const history = await trainLoop({
      graph: g,
      program,
      params,
      optimizer: new SGD({ lr: 0.2 }),
      batch: () => feeds,
      steps: 6,
      progress: false,
      metricsPath,
      evalEvery: 3,
      evaluate: () => ({ w_error: Math.abs(params.get('l.weight')![0] - 2) }),
    });
    const lines = (await readFile(metricsPath, 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => 'w_error' in l)).toEqual([false, false, true, false, false, true]);
    expect(lines[2].w_error).toBe(history[2].evaluation?.w_error);
    expect(lines[5].w_error).toBeLessThan(lines[2].w_error);
    expect(Object.keys(lines[5])).toEqual(['step', 'loss', 'lr', 'gradNorm', 'ms', 'w_error']);
    expect(history[0].evaluation).toBeUndefined();
  });

  it('refuses evaluation hooks that are half given or reuse the loop names', async () => {
    const { g, program, feeds } = await model();
    const common = {
      graph: g,
      program,
      params: initialValues(g),
      optimizer: new SGD({ lr: 0.1 }),
      batch: () => feeds,
      steps: 2,
      progress: false,
    };
    await expect(trainLoop({ ...common, evalEvery: 1 })).rejects.toThrow(
      /evalEvery and evaluate go together/,
    );
    await expect(trainLoop({ ...common, evalEvery: 0, evaluate: () => ({}) })).rejects.toThrow(
      /positive integer, got 0/,
    );
    await expect(trainLoop({ ...common, evalEvery: 1, evaluate: () => ({ loss: 1 }) })).rejects.toThrow(
      /evaluate returned "loss" at step 1/,
    );
  });
});
