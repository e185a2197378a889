// The grey-image control of issue #21 for a finished run whose language-model evaluation predates it: each
// named model answers the run's held-out FAST prompts as recorded and with both camera images uniform grey,
// scored the way the lm-eval stage scores them. One JSON line per model is appended to `--out`.
//
//   npx tsx src/experiments/grey-control.ts --run results/paper --variants sft-fast,roboalign-sft,roboalign \
//     --out results/lm-controls/paper.jsonl
import { basename, dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ACTION_DIM, describeMachine } from '@roboalign/bench';
import { loadFastTokenizer } from '@roboalign/fast-tokenizer';
import { appendJsonl } from '@roboalign/utils';
import { Vlm, VlmTokenizer } from '@roboalign/vlm';
import type { DataStageResult } from '../data/index.js';
import { answerFastPrompts, blankImages, fastReference } from '../pipeline/lm-eval.js';
import { presetNamed } from '../pipeline/presets.js';
import { readStageRecord } from '../pipeline/stage-runner.js';
import { VARIANTS, type Variant } from '../pipeline/variants.js';

const { values } = parseArgs({
  options: {
    run: { type: 'string', default: 'results/paper' },
    preset: { type: 'string' },
    variants: { type: 'string', default: 'sft-fast,roboalign-sft,roboalign' },
    out: { type: 'string' },
  },
});
const run = resolve(values.run!);
const preset = presetNamed(values.preset ?? basename(run));
const variants = values.variants!.split(',').map((v) => v.trim());
for (const v of variants)
  if (!VARIANTS.includes(v as Variant))
    throw new Error(`--variants: "${v}" is not one of ${VARIANTS.join(', ')}`);
const out = resolve(values.out ?? join(dirname(run), 'lm-controls', `${preset.name}.jsonl`));

const data = (await readStageRecord<DataStageResult>(run, 'data')).value;
const tokenizer = await VlmTokenizer.load(join(run, 'tokenizer'));
const fast = await loadFastTokenizer(data.fastTokenizer);
const options = {
  prompts: preset.lmEval.prompts,
  maxNewTokens: preset.lmEval.maxNewTokens,
  horizon: preset.fast.horizon,
  actionDim: ACTION_DIM,
};
const reference = await fastReference(fast, data.train.fast, { horizon: options.horizon, dim: ACTION_DIM });
const machine = describeMachine();
for (const variant of variants) {
  const started = performance.now();
  const model = await Vlm.load(join(run, 'models', variant), tokenizer);
  try {
    const recorded = await answerFastPrompts(model, fast, data.heldOut.fast, reference, options);
    const grey = await answerFastPrompts(model, fast, data.heldOut.fast, reference, options, (p) =>
      blankImages(p, preset.imageSize),
    );
    // Per prompt, whether the grey images changed the answer: the images' share of what the model does.
    const changed = recorded.answers.filter(
      (a, i) => (a.ids?.join(',') ?? null) !== (grey.answers[i].ids?.join(',') ?? null),
    ).length;
    const figures = (s: typeof recorded.scores) => ({
      prefixSimilarity: s.prefixSimilarity,
      actionMae: s.actionMae,
      meanChunkMae: s.meanChunkMae,
      decodeRate: s.decodeRate,
      distinctAnswers: s.distinctAnswers,
    });
    const line = {
      run: basename(run),
      variant,
      prompts: recorded.rows.length,
      recorded: figures(recorded.scores),
      greyImages: figures(grey.scores),
      answersChangedByGrey: changed / recorded.rows.length,
      seconds: (performance.now() - started) / 1000,
      cpu: machine.cpuModel,
    };
    console.log(JSON.stringify(line));
    await appendJsonl(out, line);
  } finally {
    await model.release();
  }
}
