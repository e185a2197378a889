import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ActionHead, type HeadSample, seededRandom } from '../src/action-head.js';
import type { ActionHeadConfig } from '../src/config.js';
import { loadDataset, memoryDataset, saveDataset } from '../src/dataset.js';
import { ActionHeadError } from '../src/errors.js';
import { trainHead } from '../src/train.js';
import { TINY } from './helpers/tiny-config.js';

const cfg: ActionHeadConfig = { ...TINY, hiddenSize: 16 };

const random = seededRandom(9);
const samples: HeadSample[] = Array.from({ length: 12 }, (_, i) => ({
  features: Float32Array.from({ length: 24 }, () => random() - 0.5),
  featureMask: Float32Array.of(1, 1, i % 2),
  state: Float32Array.of(random(), random()),
  embodiment: i % 2,
  actions: Float32Array.from({ length: 8 }, () => random() - 0.5),
  actionMask: new Float32Array(8).fill(1),
}));

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'head-data-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('datasets and training runs', () => {
  it('saves cached samples to one file and loads them back', async () => {
    const path = join(dir, 'cache.safetensors');
    await saveDataset(path, samples, cfg);
    const ds = await loadDataset(path, cfg);
    expect(ds.size).toBe(12);
    expect(ds.get(5)).toEqual(samples[5]);
    await expect(loadDataset(path, { ...cfg, stateDim: 3 })).rejects.toThrow(
      /"state" should be \[12, 3\], got \[12, 2\]/,
    );
    await expect(loadDataset(path, { ...cfg, stateDim: 3 })).rejects.toBeInstanceOf(ActionHeadError);
    await expect(saveDataset(path, [{ ...samples[0], state: new Float32Array(5) }], cfg)).rejects.toThrow(
      new ActionHeadError('saveDataset: sample 0 state has 5 values, expected 2'),
    );
    expect(() => memoryDataset([])).toThrow(
      new ActionHeadError('memoryDataset: expected at least one sample, got none'),
    );
  });

  it('trains with JSONL metrics and checkpoints that restore the head exactly', async () => {
    const head = await ActionHead.create(cfg, { batchSize: 4, lr: 1e-3 });
    const metricsPath = join(dir, 'run', 'metrics.jsonl');
    const checkpointPath = join(dir, 'head.safetensors');
    const losses = await trainHead(head, memoryDataset(samples), {
      steps: 6,
      metricsPath,
      checkpointPath,
      checkpointEvery: 6,
      progress: false,
    });
    expect(losses).toHaveLength(6);
    const lines = (await readFile(metricsPath, 'utf8')).trim().split('\n');
    expect(lines.map((l) => JSON.parse(l).step)).toEqual([1, 2, 3, 4, 5, 6]);
    const observation = samples[0];
    const before = await head.predict(observation, 3);
    const restored = await ActionHead.create(cfg, { batchSize: 4 });
    expect(await restored.load(checkpointPath)).toBe(6);
    expect(await restored.predict(observation, 3)).toEqual(before);
    const wider = await ActionHead.create({ ...cfg, hiddenSize: 32 }, { batchSize: 4 });
    await expect(wider.load(checkpointPath)).rejects.toThrow(ActionHeadError);
    await expect(wider.load(checkpointPath)).rejects.toThrow(
      /parameter \S+ has \d+ values, this head's has \d+/,
    );
  });
});
