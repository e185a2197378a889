import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ActionHead, type HeadSample, seededRandom } from '../src/action-head.js';
import { memoryDataset } from '../src/dataset.js';
import { trainHead } from '../src/train.js';
import { TINY } from './helpers/tiny-config.js';

const random = seededRandom(21);
const samples: HeadSample[] = Array.from({ length: 8 }, (_, i) => ({
  features: Float32Array.from({ length: 24 }, () => random() - 0.5),
  featureMask: Float32Array.of(1, 1, 1),
  state: Float32Array.of(random(), random()),
  embodiment: i % 2,
  actions: Float32Array.from({ length: 8 }, () => random() - 0.5),
  actionMask: new Float32Array(8).fill(1),
}));

/** The JSON objects of a metrics file, one per line. */
async function metricLines(path: string): Promise<Record<string, number | undefined>[]> {
  return (await readFile(path, 'utf8'))
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'head-train-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('trainHead', () => {
  it('evaluates with the weights of the step it runs at and logs the result with that step', async () => {
    const head = await ActionHead.create({ ...TINY, hiddenSize: 16 }, { batchSize: 4, lr: 1e-2 });
    const metricsPath = join(dir, 'metrics.jsonl');
    const predictions: Float32Array[] = [];
    await trainHead(head, memoryDataset(samples), {
      steps: 4,
      seed: 2,
      progress: false,
      metricsPath,
      evalEvery: 2,
      // predict() keeps an inference session; a stale one would give the step-2 chunk again at step 4.
      evaluate: async () => {
        const chunk = await head.predict(samples[0], 5);
        predictions.push(chunk);
        return { first_action: chunk[0] };
      },
    });
    expect(predictions).toHaveLength(2);
    expect(predictions[1]).not.toEqual(predictions[0]);
    const fresh = await ActionHead.create({ ...TINY, hiddenSize: 16 }, { batchSize: 4 });
    for (const [name, values] of head.params) fresh.params.get(name)!.set(values);
    fresh.weightsChanged();
    expect(await fresh.predict(samples[0], 5)).toEqual(predictions[1]);
    const lines = await metricLines(metricsPath);
    expect(lines.map((l) => l.first_action)).toEqual([
      undefined,
      predictions[0][0],
      undefined,
      predictions[1][0],
    ]);
  });

  it('gives the same losses as trainStep in a loop over the same random stream', async () => {
    const cfg = { ...TINY, hiddenSize: 16 };
    const a = await ActionHead.create(cfg, { batchSize: 4, lr: 1e-3 });
    const b = await ActionHead.create(cfg, { batchSize: 4, lr: 1e-3 });
    const dataset = memoryDataset(samples);
    const viaTrainHead = await trainHead(a, dataset, { steps: 3, seed: 5, progress: false });
    const r = seededRandom(5);
    const viaTrainStep: number[] = [];
    for (let step = 0; step < 3; step++) {
      const batch = Array.from({ length: 4 }, () => dataset.get(Math.floor(r() * dataset.size)));
      viaTrainStep.push(await b.trainStep(batch, r));
    }
    expect(viaTrainHead).toEqual(viaTrainStep);
    expect(viaTrainHead[2]).not.toBe(viaTrainHead[0]);
  });

  it('steps at the rate its schedule gives each step, and a zero rate leaves the weights alone', async () => {
    const head = await ActionHead.create({ ...TINY, hiddenSize: 16 }, { batchSize: 4, lr: 1e-2 });
    const metricsPath = join(dir, 'schedule.jsonl');
    const rates = [0, 2e-3, 0];
    const snapshot = () => new Map([...head.params].map(([name, values]) => [name, values.slice()]));
    const weights: Map<string, Float32Array | Float64Array>[] = [];
    await trainHead(head, memoryDataset(samples), {
      steps: 3,
      schedule: (step) => rates[step],
      progress: false,
      metricsPath,
      evalEvery: 1,
      evaluate: () => {
        weights.push(snapshot());
        return {};
      },
    });
    const lines = await metricLines(metricsPath);
    expect(lines.map((l) => l.lr)).toEqual(rates);
    const changed = (
      a: Map<string, Float32Array | Float64Array>,
      b: Map<string, Float32Array | Float64Array>,
    ) => [...a].some(([name, values]) => values.some((v, i) => v !== b.get(name)![i]));
    expect(changed(weights[1], weights[0])).toBe(true);
    expect(changed(weights[2], weights[1])).toBe(false);
  });

  it("'cosine' warms up over the first 5% of steps, then decays toward 0 at the end", async () => {
    const head = await ActionHead.create({ ...TINY, hiddenSize: 16 }, { batchSize: 4, lr: 1e-2 });
    const metricsPath = join(dir, 'cosine.jsonl');
    await trainHead(head, memoryDataset(samples), {
      steps: 40,
      schedule: 'cosine',
      progress: false,
      metricsPath,
    });
    const rates = (await metricLines(metricsPath)).map((l) => l.lr);
    // 40 steps: 2 of warm-up (5e-3, 1e-2), then cos decay over the 38 steps after: step 21 is halfway.
    expect(rates[0]).toBeCloseTo(5e-3, 12);
    expect(rates[1]).toBeCloseTo(1e-2, 12);
    expect(rates[2]).toBeCloseTo(1e-2, 12);
    expect(rates[21]).toBeCloseTo(5e-3, 12);
    expect(rates[39]).toBeCloseTo(1e-2 * 0.5 * (1 + Math.cos((Math.PI * 37) / 38)), 12);
  });

  it('names a schedule it does not know', async () => {
    const head = await ActionHead.create({ ...TINY, hiddenSize: 16 }, { batchSize: 4 });
    const bad = 'linear' as unknown as 'cosine';
    await expect(
      trainHead(head, memoryDataset(samples), { steps: 1, schedule: bad, progress: false }),
    ).rejects.toThrow(/schedule must be 'constant', 'cosine' or a function, got linear/);
  });
});

describe('ActionHead sessions', () => {
  it('frees the inference session that a weight change drops, and release() waits for it', async () => {
    const head = await ActionHead.create({ ...TINY, hiddenSize: 16 }, { batchSize: 4 });
    await head.predict(samples[0], 1);
    const stale = (head as unknown as { inference: { release: () => Promise<void> } }).inference;
    const release = vi.spyOn(stale, 'release');
    head.weightsChanged();
    expect(release).toHaveBeenCalledTimes(1);
    await head.predict(samples[0], 1);
    await head.release();
    expect(release).toHaveBeenCalledTimes(1);
  });
});
