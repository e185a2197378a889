// Does the backbone see? (issues #20, #21.) Pretrains a `base` LM on a finished run's general VQA, as the
// pipeline's base stage does, under one perception lever, and reports how much it uses its images:
// - held-out answer NLL per question kind with the real image and with a grey one (equal: images unused);
// - the share of the image tokens' embedding variance that comes from the image, not the patch position
//   (near 0: the vision tower outputs the same tokens whatever it is shown);
// - with `--vision-steps`, the held-out patch accuracy of supervised vision pretraining first.
// The model is saved to OUT/models/NAME beside a link to the run's tokenizer, so vla-sweep.ts and
// probe-baseline.ts can score it. One JSON line to stdout.
//
//   npx tsx src/experiments/perception.ts --run results/paper --name frozen --freeze vision --out /tmp/perception
import { existsSync } from 'node:fs';
import { mkdir, readFile, symlink } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import {
  answerRows,
  encodeConversation,
  features,
  loadSftDataset,
  readConversations,
  sft,
  Vlm,
  VlmTokenizer,
} from '@roboalign/vlm';
import { withGreyImages } from '../pipeline/lm-eval.js';
import { freshModel, presetNamed } from '../pipeline/presets.js';
import { labelledFrames, pretrainTowerOnFrames } from '../pipeline/vision-stage.js';

const { values } = parseArgs({
  options: {
    run: { type: 'string', default: 'results/paper' },
    preset: { type: 'string', default: 'paper' },
    name: { type: 'string' },
    steps: { type: 'string' },
    freeze: { type: 'string', default: 'none' },
    'position-scale': { type: 'string', default: '1' },
    'vision-steps': { type: 'string', default: '0' },
    out: { type: 'string' },
    // Score this trained model instead of training one (e.g. a run's own models/base).
    scored: { type: 'string' },
  },
});
if (!values.name || !values.out) throw new Error('--name NAME and --out DIR are required');
const FREEZES: Record<string, string[]> = {
  none: [],
  vision: ['vision_tower.'],
  'vision+projector': ['vision_tower.', 'multi_modal_projector.'],
};
const frozen = FREEZES[values.freeze!];
if (frozen === undefined) throw new Error(`--freeze must be one of ${Object.keys(FREEZES).join(', ')}`);
const count = (flag: string, text: string) => {
  const n = Number(text);
  if (!(Number.isInteger(n) && n >= 0)) throw new Error(`--${flag} must be a whole number, got "${text}"`);
  return n;
};
const preset = presetNamed(values.preset!);
const steps = values.steps === undefined ? preset.pretrainSteps : count('steps', values.steps);
const visionSteps = count('vision-steps', values['vision-steps']!);
const positionScale = Number(values['position-scale']);
if (!(positionScale > 0))
  throw new Error(`--position-scale must be a positive number, got "${values['position-scale']}"`);
const run = resolve(values.run!);
const data = join(run, 'data');

const tokenizer = await VlmTokenizer.load(join(run, 'tokenizer'));
if (values.scored && (visionSteps > 0 || values.steps !== undefined || positionScale !== 1))
  throw new Error('--scored scores a trained model: it takes no --steps, --vision-steps or --position-scale');
const model = values.scored
  ? await Vlm.load(resolve(values.scored), tokenizer)
  : freshModel(tokenizer, preset);
const positions = model.params.get('vision_tower.position_embedding.weight')!;
for (let i = 0; i < positions.length; i++) positions[i] *= positionScale;

/** The labelled agent-view frames of the run's data files, by file name. */
const framesOf = (files: readonly string[]) => labelledFrames(files.map((f) => join(data, `${f}.jsonl`)));

const report: Record<string, unknown> = {
  name: values.name,
  run,
  ...(values.scored ? { scored: resolve(values.scored) } : { steps }),
  freeze: values.freeze,
  positionScale,
  visionSteps,
};
if (visionSteps > 0) {
  const sources = ['general-vqa', 'robot-vqa', 'reasoning'];
  const t0 = performance.now();
  const { images, classes, heldOut } = await pretrainTowerOnFrames(
    model,
    await framesOf(sources),
    await framesOf(sources.map((s) => `${s}-heldout`)),
    { steps: visionSteps, seed: preset.seed },
  );
  report.vision = {
    images,
    classes: classes.length,
    seconds: Math.round((performance.now() - t0) / 1000),
    heldOut,
  };
}

const t0 = performance.now();
const general = await loadSftDataset(model, join(data, 'general-vqa.jsonl'), { name: 'general' });
// No steps: the untrained backbone, the control for what pretraining adds or removes.
if (steps > 0 && !values.scored)
  await sft(model, [general], {
    steps,
    batchSize: preset.batchSize,
    lr: preset.lr,
    seed: preset.seed,
    frozen,
    label: values.name,
  });
report.seconds = Math.round((performance.now() - t0) / 1000);

// Held-out answer NLL by question kind, real image vs grey.
const heldOut = await readConversations(join(data, 'general-vqa-heldout.jsonl'));
const kinds = (await readFile(join(data, 'general-vqa-heldout.labels.jsonl'), 'utf8'))
  .trim()
  .split('\n')
  .map((line) => (JSON.parse(line) as { kind: string }).kind);
const nll = new Map<string, { real: number; grey: number; n: number }>();
for (const [i, row] of heldOut.entries()) {
  const real = await encodeConversation(model.tokenizer, model.config, row.conversation, row.source);
  const grey = withGreyImages(real);
  const entry = nll.get(kinds[i]) ?? { real: 0, grey: 0, n: 0 };
  entry.real += (await model.score(answerRows([real]))).loss;
  entry.grey += (await model.score(answerRows([grey]))).loss;
  entry.n++;
  nll.set(kinds[i], entry);
}
const round = (x: number) => Math.round(x * 1000) / 1000;
report.heldOutNll = Object.fromEntries(
  [...nll].map(([kind, e]) => [kind, { real: round(e.real / e.n), grey: round(e.grey / e.n), n: e.n }]),
);

// Image-content share of the image tokens' embeddings (layer 0), over 32 distinct images.
const distinct = (await framesOf(['general-vqa'])).slice(0, 32);
const embedded = await features(
  model,
  distinct.map((f) => ({
    messages: [
      {
        role: 'user' as const,
        content: [
          { type: 'image' as const, path: f.path },
          { type: 'text' as const, text: 'Describe the scene.' },
        ],
      },
    ],
  })),
  { layer: 0 },
);
const [n, length, width] = embedded.shape;
let within = 0;
let total = 0;
for (let t = 0; t < length; t++) {
  if (embedded.ids[t] !== model.config.imageTokenId) continue;
  for (let d = 0; d < width; d++) {
    let sum = 0;
    let squares = 0;
    for (let i = 0; i < n; i++) {
      const x = embedded.hidden[(i * length + t) * width + d];
      sum += x;
      squares += x * x;
    }
    within += squares / n - (sum / n) ** 2;
    total += squares / n;
  }
}
report.imageContentShare = Math.round((within / total) * 1e5) / 1e5;

const dir = join(resolve(values.out), 'models', values.name!);
await mkdir(dir, { recursive: true });
await model.save(dir);
const link = join(resolve(values.out), 'tokenizer');
if (!existsSync(link)) await symlink(join(run, 'tokenizer'), link);
await model.release();
console.log(JSON.stringify(report));
