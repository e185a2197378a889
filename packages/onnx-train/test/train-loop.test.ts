import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCheckpoint } from '../src/checkpoint.js';
import { Graph } from '../src/graph.js';
import { linear } from '../src/layers.js';
import * as op from '../src/ops.js';
import { AdamW, cosineWithWarmup } from '../src/optim.js';
import { trainLoop } from '../src/train-loop.js';
import { compileTraining, initialValues } from '../src/training.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'onnx-train-loop-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

async function model() {
  const g = new Graph();
  const x = g.input('x', [8, 2]);
  const t = g.input('t', [8, 1]);
  const d = op.sub(linear(g, op.tanh(linear(g, x, 'l0', 8, { seed: 1 })), 'l1', 1, { seed: 2 }), t);
  const program = await compileTraining(g, op.reduceMean(op.mul(d, d), [0, 1]));
  // Micro-batch i: 8 points of y = x0 · x1 on a fixed grid, shifted by i.
  const batch = (i: number) => {
    const xs = Float32Array.from({ length: 16 }, (_, k) => Math.sin(k + (i % 4)));
    const ts = Float32Array.from({ length: 8 }, (_, k) => xs[2 * k] * xs[2 * k + 1]);
    return {
      x: { data: xs, shape: [8, 2], dtype: 'float32' as const },
      t: { data: ts, shape: [8, 1], dtype: 'float32' as const },
    };
  };
  return { g, program, batch };
}

describe('trainLoop', () => {
  it('records checkpoint shapes from parameterShapes alone, and refuses to checkpoint without them', async () => {
    const { g, program, batch } = await model();
    const shapes = new Map([...g.parameters].map(([name, p]) => [name, p.value.shape]));
    const path = join(dir, 'shapes.safetensors');
    const common = { program, batch, steps: 2, progress: false, checkpointEvery: 2, checkpointPath: path };
    await trainLoop({
      ...common,
      parameterShapes: shapes,
      params: initialValues(g),
      optimizer: new AdamW({ lr: 0.01 }),
    });
    const saved = await loadCheckpoint(path);
    expect([...saved.params].map(([name, p]) => [name, p.shape])).toEqual([...shapes]);
    await expect(
      trainLoop({ ...common, params: initialValues(g), optimizer: new AdamW({ lr: 0.01 }) }),
    ).rejects.toThrow(/pass parameterShapes/);
  });

  it('accumulates, clips, schedules, logs JSONL, checkpoints, and resumes to the same losses', async () => {
    const { g, program, batch } = await model();
    const schedule = cosineWithWarmup({ lr: 0.05, warmupSteps: 3, totalSteps: 20 });
    const metricsPath = join(dir, 'run', 'metrics.jsonl');
    const checkpointPath = join(dir, 'ckpt.safetensors');
    const common = {
      graph: g,
      program,
      batch,
      steps: 20,
      accumulation: 2,
      schedule,
      clipNorm: 1,
      progress: false,
    };
    const params = initialValues(g);
    const straight = await trainLoop({
      ...common,
      params,
      optimizer: new AdamW({ lr: 0.05 }),
      metricsPath,
      checkpointEvery: 10,
      checkpointPath,
    });
    expect(straight).toHaveLength(20);
    expect(straight[19].loss).toBeLessThan(straight[0].loss * 0.7);
    expect(straight.every((m) => m.gradNorm > 0)).toBe(true);
    expect(straight[0].lr).toBeCloseTo(0.05 / 3, 12);
    const lines = (await readFile(metricsPath, 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => l.step)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));

    // The checkpoint holds the state after step 20 (the last multiple of 10); resume from a step-10 one.
    const again = await model();
    const first = await trainLoop({
      ...common,
      graph: again.g,
      program: again.program,
      batch: again.batch,
      params: initialValues(again.g),
      optimizer: new AdamW({ lr: 0.05 }),
      steps: 10,
      checkpointEvery: 10,
      checkpointPath,
    });
    expect(first.map((m) => m.loss)).toEqual(straight.slice(0, 10).map((m) => m.loss));
    const ckpt = await loadCheckpoint(checkpointPath);
    expect(ckpt.step).toBe(10);
    const resumedParams = new Map([...ckpt.params].map(([k, v]) => [k, v.data]));
    const opt = new AdamW({ lr: 0.05 });
    opt.load(ckpt.optimizer!);
    const rest = await trainLoop({
      ...common,
      graph: again.g,
      program: again.program,
      batch: again.batch,
      params: resumedParams,
      optimizer: opt,
      startStep: ckpt.step,
      metricsPath,
    });
    expect(rest.map((m) => m.loss)).toEqual(straight.slice(10).map((m) => m.loss));
    // The resumed run owns the log: the first run's steps 11–20 were replaced, not repeated.
    const resumedLines = (await readFile(metricsPath, 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(resumedLines.map((l) => l.step)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(resumedLines.slice(10).map((l) => l.loss)).toEqual(rest.map((m) => m.loss));
  });

  it('starts a fresh log when a run starts at step 0, and names a corrupt line', async () => {
    const { g, program, batch } = await model();
    const metricsPath = join(dir, 'fresh', 'metrics.jsonl');
    const run = () =>
      trainLoop({
        graph: g,
        program,
        batch,
        steps: 3,
        params: initialValues(g),
        optimizer: new AdamW({ lr: 0.01 }),
        metricsPath,
        progress: false,
      });
    await run();
    await run();
    const steps = (await readFile(metricsPath, 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l).step);
    expect(steps).toEqual([1, 2, 3]);
    await writeFile(metricsPath, '{"step": 1}\nnot json\n');
    await expect(run()).rejects.toThrow(/metrics\.jsonl:2: not a JSON line/);
  });
});
