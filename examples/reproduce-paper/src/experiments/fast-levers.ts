// The FAST-learning lever ablation (issue #21): SFT on FAST rows only, from a finished run's base model, one
// lever setting at a time, scored on validation prompts from scenes apart from training and from the LM
// evaluation's held-out split (its own seed). Each setting appends one JSON line to `<out>/levers.jsonl`.
//
//   npx tsx src/experiments/fast-levers.ts --run results/quick --out results/fast-levers \
//     --lever name=state,stateBins=256 --lever name=scale4,scale=4
//   npx tsx src/experiments/fast-levers.ts --preset paper --run results/paper --out /tmp/levers-paper \
//     --lever name=steps3000,steps=3000
//   # score a model the run trained with a lever's recipe, on the same validation prompts, without training:
//   npx tsx src/experiments/fast-levers.ts --preset paper --run results/paper --out results/fast-levers \
//     --lever name=paper-sft-fast --trained results/paper/models/sft-fast
//   # from another base (e.g. perception.ts's, with a pretrained vision tower), keeping its vision tower:
//   npx tsx src/experiments/fast-levers.ts --preset paper --run results/paper --out /tmp/levers-vision \
//     --base /tmp/perception/models/vision-1000-frozen-1500 --lever name=vision,frozenVision=1,steps=400
import { existsSync } from 'node:fs';
import { appendFile, mkdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ACTION_DIM, describeMachine } from '@roboalign/bench';
import { loadFastTokenizer } from '@roboalign/fast-tokenizer';
import { formatReward } from '@roboalign/rewards';
import { Vlm, VlmTokenizer } from '@roboalign/vlm';
import {
  type DataStageResult,
  datasetFiles,
  defaultTokenizerEpisodes,
  fitActionTokenizer,
  generateFastActions,
  generateRlData,
  UnitPool,
} from '../data/index.js';
import { readRlPrompts } from '../pipeline/alignment-targets.js';
import { constantBaseline, scoreFastAnswers } from '../pipeline/fast-metrics.js';
import { trainLanguageModel } from '../pipeline/language-models.js';
import {
  blankImages,
  fastAnswerNll,
  fastReference,
  greedyFastAnswers,
  greedyFastAnswersAfter,
} from '../pipeline/lm-eval.js';
import { shareOf } from '../pipeline/mixture.js';
import { presetNamed } from '../pipeline/presets.js';
import { reasoningAgreement, trueReasoning } from '../pipeline/reasoning-check.js';
import { sftRecipes } from '../pipeline/run.js';
import { readStageRecord } from '../pipeline/stage-runner.js';

/** One setting of the levers; absent fields keep the preset's values. */
interface Lever {
  name: string;
  scale: number;
  stateBins: number;
  /** Share of training rows answered think-then-act. */
  thinkShare: number;
  steps: number;
  lr: number;
  /** FAST rows for training. */
  rows: number;
  /**
   * 1: FAST rows only (the `sft-fast` recipe). Below 1: roboalign-sft's mixture of the run's sources, with
   * the lever's FAST rows at this share of the samples and the other sources by size.
   */
  fastShare: number;
  /** 1: the vision tower stays as the base left it (e.g. after supervised vision pretraining). */
  frozenVision: number;
}

/**
 * roboalign-sft's sources in the run (its data stage's files), with `fastPath` in place of the run's FAST rows
 * and a fixed share for them.
 */
async function roboalignSftMixture(
  fastPath: string,
  fastShare: number,
): Promise<{ sources: string[]; shares: (number | undefined)[] }> {
  const data = (await readStageRecord<DataStageResult>(run, 'data')).value;
  const sources = sftRecipes(data)['roboalign-sft'].map((path) =>
    path === data.train.fast ? fastPath : path,
  );
  return { sources, shares: shareOf(sources, fastPath, fastShare) };
}

/** Validation rows come from this seed, apart from training (the preset's seed) and held-out (the same seed). */
const VALIDATION_SEED_OFFSET = 1;

function parseLever(text: string, defaults: Lever): Lever {
  const lever = { ...defaults };
  for (const pair of text.split(',')) {
    const [key, value] = pair.split('=');
    if (!(key in lever))
      throw new Error(`--lever: unknown key "${key}" (known: ${Object.keys(lever).join(', ')})`);
    if (key === 'name') lever.name = value;
    else {
      const n = Number(value);
      if (!Number.isFinite(n)) throw new Error(`--lever: ${key}=${value} is not a number`);
      (lever as unknown as Record<string, number>)[key] = n;
    }
  }
  return lever;
}

async function finished(modelDir: string, runId: string): Promise<boolean> {
  const marker = join(modelDir, 'run.json');
  if (!existsSync(join(modelDir, 'model.safetensors')) || !existsSync(marker)) return false;
  return (JSON.parse(await readFile(marker, 'utf8')) as { runId?: string }).runId === runId;
}

const { values } = parseArgs({
  options: {
    run: { type: 'string', default: 'results/quick' },
    out: { type: 'string', default: 'results/fast-levers' },
    lever: { type: 'string', multiple: true, default: [] },
    // The preset whose sizes and FAST vocabulary the run used (its tokenizer has that many FAST tokens).
    preset: { type: 'string', default: 'quick' },
    validation: { type: 'string', default: '96' },
    // `train` scores the training rows themselves: a memorization check of the FAST path, not a result.
    on: { type: 'string', default: 'validation' },
    // A finished model trained with the (single) lever's recipe, scored instead of training a new one.
    trained: { type: 'string' },
    // Another base model to fine-tune (default the run's models/base), e.g. one from perception.ts.
    base: { type: 'string' },
  },
});
const preset = presetNamed(values.preset!);
const run = resolve(values.run!);
const out = resolve(values.out!);
const defaults: Lever = {
  name: 'preset',
  scale: preset.fast.scale ?? 10,
  stateBins: preset.fast.stateBins ?? 0,
  thinkShare: preset.fast.thinkShare ?? 0,
  steps: preset.sftSteps,
  lr: preset.lr,
  rows: preset.samples.fast,
  fastShare: 1,
  frozenVision: 0,
};
const levers = (values.lever!.length ? values.lever! : ['name=preset']).map((t) => parseLever(t, defaults));
for (const { name, fastShare } of levers)
  if (!(fastShare > 0 && fastShare <= 1))
    throw new Error(`--lever ${name}: fastShare must be in (0, 1], got ${fastShare}`);
const baseDir = resolve(values.base ?? join(run, 'models', 'base'));
const trained = values.trained === undefined ? undefined : resolve(values.trained);
if (trained !== undefined && levers.length !== 1)
  throw new Error(`--trained scores one model: give exactly one --lever (got ${levers.length})`);
if (trained !== undefined && !existsSync(join(trained, 'model.safetensors')))
  throw new Error(`--trained ${trained}: no model.safetensors there`);
const validationRows = Number(values.validation);
if (values.on !== 'validation' && values.on !== 'train')
  throw new Error(`--on: "validation" or "train", got "${values.on}"`);
await mkdir(out, { recursive: true });
const tokenizer = await VlmTokenizer.load(join(run, 'tokenizer'));
const machine = describeMachine();
const pool = new UnitPool(2);
try {
  for (const lever of levers) {
    const started = performance.now();
    const dataDir = join(
      out,
      'data',
      `${preset.name}-scale${lever.scale}-state${lever.stateBins}-think${lever.thinkShare}-rows${lever.rows}`,
    );
    const tokenizerDir = join(dataDir, 'action-tokenizer');
    await fitActionTokenizer({
      dir: tokenizerDir,
      seed: preset.seed,
      episodes: defaultTokenizerEpisodes(lever.rows),
      vocabSize: preset.fast.vocabSize,
      horizon: preset.fast.horizon,
      scale: lever.scale,
      pool,
    });
    const common = {
      out: dataDir,
      pool,
      imageSize: preset.imageSize,
      tokenizer: tokenizerDir,
      stateBins: lever.stateBins,
    };
    const train = await generateFastActions({
      ...common,
      seed: preset.seed,
      split: 'train',
      count: lever.rows,
      thinkShare: lever.thinkShare,
    });
    const validation = await generateFastActions({
      ...common,
      seed: preset.seed + VALIDATION_SEED_OFFSET,
      split: 'heldout',
      count: validationRows,
      // The next step in words (`high_level`), for the true reasoning of each RL prompt; rows are the same.
      alternativeTargets: true,
    });
    const validationRl = await generateRlData({
      from: validation,
      out: dataDir,
      count: validation.count,
      seed: preset.seed,
    });
    const trainPath = join(dataDir, datasetFiles(train.name).file);
    const scoredPath = values.on === 'train' ? trainPath : join(dataDir, datasetFiles(validation.name).file);
    const modelDir = trained ?? join(out, 'models', lever.name);
    // FAST-only settings keep the id they had before the mixture lever, so their checkpoints still resume.
    const { fastShare, frozenVision, ...fastOnly } = lever;
    const runId = JSON.stringify({
      ...fastOnly,
      preset: preset.name,
      ...(fastShare < 1 ? { fastShare } : {}),
      ...(frozenVision ? { frozenVision } : {}),
      ...(values.base ? { base: baseDir } : {}),
    });
    const mixture = fastShare < 1 ? await roboalignSftMixture(trainPath, fastShare) : null;
    // A model this setting finished is scored again, not retrained (e.g. after a metric changed).
    if (trained === undefined && !(await finished(modelDir, runId)))
      await trainLanguageModel({
        tokenizer,
        preset: { ...preset, lr: lever.lr },
        out: modelDir,
        runId,
        from: baseDir,
        frozen: frozenVision ? ['vision_tower.'] : undefined,
        sources: mixture?.sources ?? [trainPath],
        shares: mixture?.shares,
        steps: lever.steps,
        progressLabel: `${mixture ? 'roboalign-sft' : 'sft-fast'} ${lever.name}`,
      });
    const fast = await loadFastTokenizer(tokenizerDir);
    const shape = { horizon: preset.fast.horizon, dim: ACTION_DIM };
    const reference = await fastReference(fast, trainPath, shape);
    const rows = (await readRlPrompts(scoredPath)).slice(0, validationRows);
    const targets = rows.map((r) => r.targetFastIds);
    const model = await Vlm.load(modelDir, tokenizer);
    const maxNewTokens = preset.lmEval.maxNewTokens;
    const answers = await greedyFastAnswers(
      model,
      rows.map((r) => r.prompt),
      maxNewTokens,
    );
    const blank = await greedyFastAnswers(
      model,
      rows.map((r) => blankImages(r.prompt, preset.imageSize)),
      maxNewTokens,
    );
    const rlRows = await readRlPrompts(join(dataDir, datasetFiles(validationRl.name).file));
    const reasoning = await greedyFastAnswers(
      model,
      rlRows.map((r) => r.prompt),
      maxNewTokens,
    );
    // The same RL prompts answered after the true reasoning: what a right think gives the action tokens.
    const truth = await trueReasoning(dataDir, validationRl, validation);
    const afterTruth = await greedyFastAnswersAfter(
      model,
      rlRows.map((r) => r.prompt),
      truth.map((t) => `${t}<answer>`),
      maxNewTokens,
    );
    const rlTargets = rlRows.map((r) => r.targetFastIds);
    // Prefix and action error, overall and per prompt (for paired tests between lines).
    const brief = ({ prefixSimilarity, actionMae, perPrompt }: ReturnType<typeof score>) => ({
      prefixSimilarity,
      actionMae,
      perPrompt,
    });
    const score = (a: typeof answers, against: readonly (readonly number[])[] = targets) =>
      scoreFastAnswers(
        a.map((x) => x.ids),
        against,
        fast,
        shape,
        reference.meanChunk,
      );
    const line = {
      preset: preset.name,
      lever,
      ...(trained !== undefined ? { trained } : {}),
      scoredOn: values.on,
      validationRows: rows.length,
      medianTargetLength: targets.map((t) => t.length).sort((a, b) => a - b)[Math.floor(targets.length / 2)],
      constantBaseline: constantBaseline(reference.trainTargets, targets).heldOut,
      ...score(answers),
      blankImages: score(blank),
      reasoningPrompt: {
        formatRate: reasoning.filter((a) => formatReward(a.text) === 1).length / reasoning.length,
        ...brief(score(reasoning, rlTargets)),
        reasoningAgreement: reasoningAgreement(
          reasoning.map((a) => a.text),
          truth,
        ),
        afterTrueReasoning: brief(score(afterTruth, rlTargets)),
      },
      answerNll: await fastAnswerNll(model, scoredPath, validationRows),
      seconds: (performance.now() - started) / 1000,
      cpu: machine.cpuModel,
    };
    await model.release();
    console.log(JSON.stringify(line));
    await appendFile(join(out, 'levers.jsonl'), `${JSON.stringify(line)}\n`);
  }
} finally {
  await pool.close();
}
