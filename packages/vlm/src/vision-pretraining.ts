import { AdamW, cosineWithWarmup, type StepMetrics, trainLoop, xavierUniform } from '@roboalign/onnx-train';
import { mulberry32, seedFromName } from '@roboalign/utils';
import { tokensPerImage } from './config.js';
import { writePixels } from './data/batch.js';
import type { RgbImage } from './data/conversation.js';
import { VlmError } from './errors.js';
import { compileGraph, runCompiled } from './model/compiled.js';
import { buildPatchLabelGraph, PATCH_CLASSIFIER } from './model/graphs.js';
import type { Vlm } from './vlm.js';

/** One image with a class per patch (row-major over the patch grid, as the ViT reads it). */
export interface PatchLabelledImage {
  image: RgbImage;
  /** `tokensPerImage` class indices in `[0, classes)`. */
  labels: Int32Array;
}

/** Options of {@link pretrainVision}. */
export interface PretrainVisionOptions {
  /** Number of patch classes. */
  classes: number;
  steps: number;
  /** Images per step; default 32. */
  batchSize?: number;
  /** Peak learning rate (5% warm-up, cosine to 0); default 1e-3. */
  lr?: number;
  /** AdamW decoupled weight decay; default 0.01. */
  weightDecay?: number;
  /** Sampling and classifier-initialization seed; default 0. */
  seed?: number;
  /** Append one JSON line of metrics per step here. */
  metricsPath?: string;
  /** Progress bar on a terminal; default true. */
  progress?: boolean;
}

/** What {@link pretrainVision} returns: its per-step metrics and the patch classifier it trained. */
export interface PretrainedVision {
  metrics: StepMetrics[];
  /** `${PATCH_CLASSIFIER}.weight` `[classes, width]` and `.bias` `[classes]`. */
  classifier: Map<string, Float32Array>;
}

/**
 * Supervised vision pretraining, the miniature's stand-in for a pretrained vision encoder: the vision
 * tower (camera slot 0) and a linear classifier on its patch tokens learn each patch's class (for
 * example the object a renderer drew there) by cross-entropy. Only `vision_tower.*` parameters of
 * `model` change, in place; the projector and LM are untouched.
 */
export async function pretrainVision(
  model: Vlm,
  images: readonly PatchLabelledImage[],
  options: PretrainVisionOptions,
): Promise<PretrainedVision> {
  const { classes, steps } = options;
  const batchSize = options.batchSize ?? 32;
  const patches = tokensPerImage(model.config);
  if (!(Number.isInteger(classes) && classes >= 2))
    throw new VlmError(`pretrainVision: classes must be an integer ≥ 2, got ${classes}`);
  if (!(Number.isInteger(steps) && steps > 0))
    throw new VlmError(`pretrainVision: steps must be a positive integer, got ${steps}`);
  if (!(Number.isInteger(batchSize) && batchSize > 0))
    throw new VlmError(`pretrainVision: batchSize must be a positive integer, got ${batchSize}`);
  if (images.length === 0) throw new VlmError('pretrainVision: no images');
  images.forEach((item, i) => {
    checkLabelledImage(item, i, model.config.imageSize, patches, classes);
  });

  const seed = options.seed ?? 0;
  const width = model.config.vision.width;
  const classifier = new Map<string, Float32Array>([
    [
      `${PATCH_CLASSIFIER}.weight`,
      xavierUniform(classes * width, width, classes, seedFromName(PATCH_CLASSIFIER, seed)),
    ],
    [`${PATCH_CLASSIFIER}.bias`, new Float32Array(classes)],
  ]);
  const params = new Map<string, Float32Array>([...model.params, ...classifier]);
  const { graph, loss, logits } = buildPatchLabelGraph(model.config, params, { batch: batchSize, classes });
  const compiled = await compileGraph(graph, [loss, logits], {
    loss,
    differentiate: (name) => name.startsWith('vision_tower.') || name.startsWith(`${PATCH_CLASSIFIER}.`),
  });
  const lr = options.lr ?? 1e-3;
  const draw = mulberry32(seedFromName('vision-pretraining', seed));
  try {
    const metrics = await trainLoop({
      params,
      optimizer: new AdamW({ lr, weightDecay: options.weightDecay ?? 0.01 }),
      steps,
      clipNorm: 1,
      schedule: cosineWithWarmup({ lr, warmupSteps: Math.ceil(steps * 0.05), totalSteps: steps, minLr: 0 }),
      metricsPath: options.metricsPath,
      progress: options.progress,
      label: 'vision',
      batch: () =>
        patchFeeds(
          Array.from({ length: batchSize }, () => images[Math.floor(draw() * images.length)]),
          model.config.imageSize,
          classes,
        ),
      program: {
        step: async (feeds) => {
          const { outputs, grads } = await runCompiled(compiled, feeds, params);
          return { loss: Number((outputs.loss as Float32Array)[0]), grads };
        },
      },
    });
    // trainLoop updated the arrays of `params`, which are the model's own and the classifier's.
    return { metrics, classifier };
  } finally {
    await compiled.session.release();
  }
}

/**
 * The share of patches whose most likely class (under the vision tower and `classifier` from
 * {@link pretrainVision}) is their label, over `images`, and the same share over patches whose label is
 * not `background` (class 0 by default): how well the tower sees the things that are not the table.
 */
export async function patchAccuracy(
  model: Vlm,
  classifier: ReadonlyMap<string, Float32Array>,
  images: readonly PatchLabelledImage[],
  options: { background?: number; batchSize?: number } = {},
): Promise<{ all: number; foreground: number; patches: number; foregroundPatches: number }> {
  const batchSize = options.batchSize ?? 32;
  const background = options.background ?? 0;
  const weight = classifier.get(`${PATCH_CLASSIFIER}.weight`);
  if (weight === undefined) throw new VlmError(`patchAccuracy: no ${PATCH_CLASSIFIER}.weight`);
  const classes = weight.length / model.config.vision.width;
  const patches = tokensPerImage(model.config);
  images.forEach((item, i) => {
    checkLabelledImage(item, i, model.config.imageSize, patches, classes);
  });
  const params = new Map<string, Float32Array>([...model.params, ...classifier]);
  const { graph, loss, logits } = buildPatchLabelGraph(model.config, params, { batch: batchSize, classes });
  const compiled = await compileGraph(graph, [loss, logits]);
  const counts = { right: 0, all: 0, foregroundRight: 0, foreground: 0 };
  try {
    for (let start = 0; start < images.length; start += batchSize) {
      const part = images.slice(start, start + batchSize);
      const rows = [...part, ...new Array(batchSize - part.length).fill(part[0])];
      const { outputs } = await runCompiled(
        compiled,
        patchFeeds(rows, model.config.imageSize, classes),
        params,
      );
      const scores = outputs.patch_logits as Float32Array;
      part.forEach((item, b) => {
        for (let p = 0; p < patches; p++) {
          const row = (b * patches + p) * classes;
          let best = 0;
          for (let c = 1; c < classes; c++) if (scores[row + c] > scores[row + best]) best = c;
          const hit = best === item.labels[p] ? 1 : 0;
          counts.right += hit;
          counts.all++;
          if (item.labels[p] !== background) {
            counts.foregroundRight += hit;
            counts.foreground++;
          }
        }
      });
    }
  } finally {
    await compiled.session.release();
  }
  return {
    all: counts.right / counts.all,
    foreground: counts.foreground === 0 ? Number.NaN : counts.foregroundRight / counts.foreground,
    patches: counts.all,
    foregroundPatches: counts.foreground,
  };
}

function checkLabelledImage(
  item: PatchLabelledImage,
  index: number,
  imageSize: number,
  patches: number,
  classes: number,
): void {
  const { image, labels } = item;
  if (
    image.width !== imageSize ||
    image.height !== imageSize ||
    image.data.length !== imageSize * imageSize * 3
  )
    throw new VlmError(
      `vision pretraining image ${index}: ${image.width}×${image.height} with ${image.data.length} bytes, the model reads ${imageSize}×${imageSize} RGB`,
    );
  if (labels.length !== patches)
    throw new VlmError(`vision pretraining image ${index}: ${labels.length} labels for ${patches} patches`);
  const bad = labels.findIndex((c) => !(Number.isInteger(c) && c >= 0 && c < classes));
  if (bad >= 0)
    throw new VlmError(
      `vision pretraining image ${index}: patch ${bad} has class ${labels[bad]}, outside [0, ${classes})`,
    );
}

function patchFeeds(rows: readonly PatchLabelledImage[], imageSize: number, classes: number) {
  const plane = 3 * imageSize * imageSize;
  const pixels = new Float32Array(rows.length * plane);
  const patches = rows[0].labels.length;
  const targets = new Float32Array(rows.length * patches * classes);
  rows.forEach((row, b) => {
    writePixels(pixels, b * plane, row.image);
    row.labels.forEach((c, p) => {
      targets[(b * patches + p) * classes + c] = 1;
    });
  });
  return {
    pixel_values: { data: pixels, shape: [rows.length, 3, imageSize, imageSize], dtype: 'float32' as const },
    patch_targets: { data: targets, shape: [rows.length * patches, classes], dtype: 'float32' as const },
  };
}
