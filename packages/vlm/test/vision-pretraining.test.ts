import { mulberry32 } from '@roboalign/utils';
import { beforeAll, describe, expect, it } from 'vitest';
import { tokensPerImage } from '../src/config.js';
import { writePixels } from '../src/data/batch.js';
import { compileGraph, runCompiled } from '../src/model/compiled.js';
import { buildPatchLabelGraph, PATCH_CLASSIFIER } from '../src/model/graphs.js';
import type { VlmTokenizer } from '../src/tokenizer/vlm-tokenizer.js';
import { type PatchLabelledImage, patchAccuracy, pretrainVision } from '../src/vision-pretraining.js';
import { Vlm } from '../src/vlm.js';
import { MICRO } from './helpers/micro.js';
import { blockImage, toyTokenizer } from './helpers/toy.js';

let tokenizer: VlmTokenizer;
const fresh = () => Vlm.create(tokenizer, { architecture: MICRO, maxLength: 192 });

beforeAll(async () => {
  ({ tokenizer } = await toyTokenizer());
});

/** `n` images with one red block on a patch-aligned cell; class 1 on that patch, 0 elsewhere. */
function blockImages(n: number, seed: number, size: number, patch: number): PatchLabelledImage[] {
  const rand = mulberry32(seed);
  const side = size / patch;
  return Array.from({ length: n }, () => {
    const cell = Math.floor(rand() * side * side);
    const labels = new Int32Array(side * side);
    labels[cell] = 1;
    return {
      image: blockImage((cell % side) * patch, Math.floor(cell / side) * patch, patch, size),
      labels,
    };
  });
}

describe('vision pretraining', () => {
  it('computes the mean patch cross-entropy of hand-set logits', async () => {
    const model = fresh();
    const { config } = model;
    const patches = tokensPerImage(config);
    const width = config.vision.width;
    // A zero classifier with biases (0, ln 3): every patch's probabilities are (1/4, 3/4).
    const values = new Map([
      ...model.params,
      [`${PATCH_CLASSIFIER}.weight`, new Float32Array(2 * width)],
      [`${PATCH_CLASSIFIER}.bias`, Float32Array.of(0, Math.log(3))],
    ]);
    const { graph, loss, logits } = buildPatchLabelGraph(config, values, { batch: 2, classes: 2 });
    const compiled = await compileGraph(graph, [loss, logits]);
    const plane = 3 * config.imageSize ** 2;
    const pixels = new Float32Array(2 * plane);
    writePixels(pixels, 0, blockImage(0, 0, 8, config.imageSize));
    writePixels(pixels, plane, blockImage(30, 30, 8, config.imageSize));
    // Image 0: every patch class 1; image 1: every patch class 0.
    const targets = new Float32Array(2 * patches * 2);
    for (let p = 0; p < patches; p++) {
      targets[p * 2 + 1] = 1;
      targets[(patches + p) * 2] = 1;
    }
    const { outputs } = await runCompiled(
      compiled,
      {
        pixel_values: { data: pixels, shape: [2, 3, config.imageSize, config.imageSize], dtype: 'float32' },
        patch_targets: { data: targets, shape: [2 * patches, 2], dtype: 'float32' },
      },
      values,
    );
    await compiled.session.release();
    expect(Number((outputs.loss as Float32Array)[0])).toBeCloseTo((Math.log(4 / 3) + Math.log(4)) / 2, 5);
  });

  it('teaches the tower where a block is, and changes nothing but the tower', async () => {
    const model = fresh();
    const { imageSize, patchSize } = model.config;
    const before = new Map([...model.params].map(([k, v]) => [k, v.slice()]));
    const { classifier, metrics } = await pretrainVision(model, blockImages(256, 1, imageSize, patchSize), {
      classes: 2,
      steps: 120,
      batchSize: 16,
      lr: 3e-3,
      progress: false,
    });
    expect(metrics.at(-1)!.loss).toBeLessThan(metrics[0].loss / 4);
    const heldOut = await patchAccuracy(model, classifier, blockImages(64, 2, imageSize, patchSize));
    expect(heldOut.foregroundPatches).toBe(64);
    expect(heldOut.foreground).toBeGreaterThan(0.9);
    expect(heldOut.all).toBeGreaterThan(0.99);
    for (const [name, value] of model.params) {
      const changed = value.some((v, i) => v !== before.get(name)![i]);
      expect([name, changed]).toEqual([name, name.startsWith('vision_tower.')]);
    }
  }, 60_000);

  it('names the image and patch of bad labels', async () => {
    const model = fresh();
    const [good] = blockImages(1, 3, model.config.imageSize, model.config.patchSize);
    const options = { classes: 2, steps: 1, progress: false };
    await expect(
      pretrainVision(model, [good, { ...good, labels: good.labels.slice(1) }], options),
    ).rejects.toThrow(/image 1: 63 labels for 64 patches/);
    const outOfRange = good.labels.slice();
    outOfRange[5] = 2;
    await expect(pretrainVision(model, [{ ...good, labels: outOfRange }], options)).rejects.toThrow(
      /image 0: patch 5 has class 2, outside \[0, 2\)/,
    );
    const small = blockImage(0, 0, 4, 32);
    await expect(pretrainVision(model, [{ ...good, image: small }], options)).rejects.toThrow(
      /image 0: 32×32 .* reads 64×64 RGB/,
    );
    await expect(pretrainVision(model, [good], { ...options, classes: 1 })).rejects.toThrow(
      /classes must be/,
    );
    await expect(pretrainVision(model, [good], { ...options, batchSize: 0 })).rejects.toThrow(
      /batchSize must be a positive integer, got 0/,
    );
  });
});
