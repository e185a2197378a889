import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSession } from '@roboalign/onnx-train';
import { describe, expect, it } from 'vitest';
import { ActionHead, type HeadSample, seededRandom } from '../src/action-head.js';
import type { ActionHeadConfig } from '../src/config.js';
import { ActionHeadError } from '../src/errors.js';
import { eulerBuckets, flowMatchingBatch, sampleFlowTime, timestepBucket } from '../src/flow-matching.js';
import { TINY } from './helpers/tiny-config.js';

const tiny: ActionHeadConfig = TINY;

const features = Float32Array.from({ length: 24 }, (_, i) => Math.sin(i));
const observation = {
  features,
  featureMask: Float32Array.of(1, 1, 0),
  state: Float32Array.of(0.1, -0.2),
  embodiment: 1,
};
const MODE = 0.8;
/** Same observation, the target chunk all +0.8 (mode A) or all -0.8 (mode B) with equal probability. */
function bimodalSample(random: () => number): HeadSample {
  const sign = random() < 0.5 ? 1 : -1;
  return {
    ...observation,
    actions: new Float32Array(8).fill(sign * MODE),
    actionMask: new Float32Array(8).fill(1),
  };
}

describe('flow matching', () => {
  it('samples t = 0.999 (1 - u), u ~ Beta(1.5, 1): mean 0.999 · 0.4', () => {
    const random = seededRandom(1);
    let sum = 0;
    for (let i = 0; i < 20000; i++) {
      const t = sampleFlowTime(random);
      expect(t).toBeGreaterThanOrEqual(0);
      expect(t).toBeLessThan(0.999);
      sum += t;
    }
    expect(sum / 20000).toBeCloseTo(0.999 * 0.4, 2); // E[1 - u] = 1 - 1.5/2.5
  });

  it('builds x_t = (1 - t) noise + t a with target a - noise, and the Euler buckets 0, 250, 500, 750', () => {
    const a = Float32Array.of(1, 2, 3, 4);
    const f = flowMatchingBatch(a, 2, 1000, seededRandom(3));
    for (let i = 0; i < 4; i++) {
      const noise = a[i] - f.target[i];
      const t = (f.noisy[i] - noise) / (a[i] - noise);
      expect(timestepBucket(t, 1000)).toBe(f.buckets[Math.floor(i / 2)]);
    }
    expect(eulerBuckets(4, 1000)).toEqual([0, 250, 500, 750]);
  });
});

describe('ActionHead', () => {
  it('learns both modes of a bimodal target, where a regressor would return their mean', async () => {
    const head = await ActionHead.create(tiny, { batchSize: 32, lr: 2e-3, weightDecay: 0 });
    const random = seededRandom(7);
    const losses: number[] = [];
    for (let step = 0; step < 300; step++) {
      losses.push(
        await head.trainStep(
          Array.from({ length: 32 }, () => bimodalSample(random)),
          random,
        ),
      );
    }
    const early = losses.slice(0, 20).reduce((a, b) => a + b, 0) / 20;
    const late = losses.slice(-20).reduce((a, b) => a + b, 0) / 20;
    expect(late).toBeLessThan(early);
    let a = 0;
    let b = 0;
    let between = 0;
    for (let seed = 0; seed < 100; seed++) {
      const chunk = await head.predict(observation, seed);
      const mean = chunk.reduce((s, v) => s + v, 0) / chunk.length;
      if (mean > MODE / 2) a++;
      else if (mean < -MODE / 2) b++;
      else between++;
    }
    expect(a).toBeGreaterThan(25);
    expect(b).toBeGreaterThan(25);
    expect(between).toBeLessThan(20);
  }, 120_000);

  it('release frees the training session; predict still works from the kept weights', async () => {
    const head = await ActionHead.create(tiny, { batchSize: 2 });
    const before = await head.predict(observation, 7);
    await head.release();
    const sample = bimodalSample(seededRandom(2));
    await expect(head.trainStep([sample, sample], seededRandom(1))).rejects.toThrow();
    expect(await head.predict(observation, 7)).toEqual(before);
  });

  it('ignores masked action dimensions in the loss', async () => {
    const head = await ActionHead.create(tiny, { batchSize: 2 });
    const masked = (value: number): HeadSample => ({
      ...observation,
      actions: Float32Array.from({ length: 8 }, (_, i) => (i % 2 === 1 ? value : 0.3)),
      actionMask: Float32Array.from({ length: 8 }, (_, i) => (i % 2 === 1 ? 0 : 1)),
    });
    const lr = head.optimizer.options.lr;
    head.optimizer.options.lr = 0; // measure the loss without moving the weights
    const l1 = await head.trainStep([masked(5), masked(5)], seededRandom(4));
    const l2 = await head.trainStep([masked(-9), masked(-9)], seededRandom(4));
    head.optimizer.options.lr = lr;
    expect(l1).toBe(l2);
  });

  it('is deterministic for a seed, and its exported model gives the same chunk in plain ONNX Runtime', async () => {
    const head = await ActionHead.create(tiny, { batchSize: 4 });
    const first = await head.predict(observation, 42);
    expect(await head.predict(observation, 42)).toEqual(first);
    expect(await head.predict(observation, 43)).not.toEqual(first);
    const dir = await mkdtemp(join(tmpdir(), 'action-head-'));
    try {
      const path = join(dir, 'head.onnx');
      await head.export(path);
      const session = await createSession(path);
      const random = seededRandom(42);
      const { gaussian } = await import('../src/flow-matching.js');
      const noise = Float32Array.from({ length: 8 }, () => gaussian(random));
      const out = await session.run({
        features: { data: features, shape: [1, 3, 8], dtype: 'float32' },
        feature_mask: { data: observation.featureMask, shape: [1, 3], dtype: 'float32' },
        state: { data: observation.state, shape: [1, 2], dtype: 'float32' },
        embodiment: { data: BigInt64Array.of(1n), shape: [1], dtype: 'int64' },
        noise: { data: noise, shape: [1, 4, 2], dtype: 'float32' },
      });
      expect(Object.values(out)[0]).toEqual(first);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('names bad input with an ActionHeadError: what was expected, what came, where', async () => {
    const head = await ActionHead.create(tiny, { batchSize: 2 });
    const fault = (message: RegExp) => ({ name: 'ActionHeadError', message: expect.stringMatching(message) });
    await expect(head.predict({ ...observation, embodiment: 2 }, 0)).rejects.toThrow(ActionHeadError);
    await expect(head.predict({ ...observation, embodiment: 2 }, 0)).rejects.toMatchObject(
      fault(/observation 0: embodiment 2 is not in \[0, 2\)/),
    );
    await expect(head.predict({ ...observation, state: new Float32Array(3) }, 0)).rejects.toMatchObject(
      fault(/observation 0: state has 3 values, expected 2/),
    );
    await expect(head.trainStep([bimodalSample(Math.random)], Math.random)).rejects.toMatchObject(
      fault(/trainStep: expected 2 samples \(the batch size\), got 1/),
    );
    const bad = { ...bimodalSample(Math.random), actionMask: new Float32Array(5) };
    await expect(head.trainStep([bimodalSample(Math.random), bad], Math.random)).rejects.toMatchObject(
      fault(/trainStep: sample 1 actionMask has 5 values, expected 8/),
    );
  });
});
