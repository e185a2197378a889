// A backbone lever of issue #20: the pipeline's stages up to the VLA stages for the `base` variant alone,
// under a preset with its image size, pretraining steps or VLM shape changed. Score the result on validation
// initial states with vla-sweep.ts (pass the same --image-size).
//
//   npx tsx src/experiments/backbone.ts --preset quick --image-size 64 --out /tmp/base-64
//   npx tsx src/experiments/vla-sweep.ts --run /tmp/base-64 --image-size 64 --suites libero-goal,libero-object …
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { VLM_PRESETS, type VlmPresetName } from '@roboalign/vlm';
import { type PipelinePreset, presetNamed } from '../pipeline/presets.js';
import { runPipeline } from '../pipeline/run.js';

const { values } = parseArgs({
  options: {
    preset: { type: 'string', default: 'quick' },
    'image-size': { type: 'string' },
    'pretrain-steps': { type: 'string' },
    architecture: { type: 'string' },
    out: { type: 'string' },
  },
});
if (!values.out) throw new Error('--out DIR is required (a results folder of its own)');

function positiveInt(name: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isInteger(value) || value <= 0)
    throw new Error(`--${name} must be a positive integer, got "${text}"`);
  return value;
}
const architecture = values.architecture;
if (architecture !== undefined && !Object.hasOwn(VLM_PRESETS, architecture))
  throw new Error(
    `--architecture must be one of ${Object.keys(VLM_PRESETS).join(', ')}, got "${architecture}"`,
  );

const base = presetNamed(values.preset!);
const preset: PipelinePreset = {
  ...base,
  name: `${base.name}-backbone`,
  imageSize: positiveInt('image-size', values['image-size']) ?? base.imageSize,
  pretrainSteps: positiveInt('pretrain-steps', values['pretrain-steps']) ?? base.pretrainSteps,
  architecture: (architecture as VlmPresetName | undefined) ?? base.architecture,
};
console.log(
  `backbone lever: ${preset.architecture} VLM, ${preset.imageSize}×${preset.imageSize} images, ` +
    `${preset.pretrainSteps} pretraining steps (preset ${base.name})`,
);
await runPipeline({
  preset,
  out: resolve(values.out),
  variants: ['base'],
  vlaStages: 'none',
  device: 'cpu',
  log: (line) => console.log(line),
});
