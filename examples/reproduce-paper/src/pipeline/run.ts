import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { ACTION_DIM, describeMachine, formatShard, type Shard, shardFileName } from '@roboalign/bench';
import { loadFastTokenizer } from '@roboalign/fast-tokenizer';
import { progressBar, writeFileAtomic } from '@roboalign/utils';
import {
  exportedPrefillDifference,
  exportOnnx,
  saveVlmTokenizer,
  trainVlmTokenizer,
  Vlm,
  VlmTokenizer,
} from '@roboalign/vlm';
import { type DataStageResult, generateData } from '../data/index.js';
import { readRlPrompts, readTargetPrompts } from './alignment-targets.js';
import { codeFingerprint } from './code-fingerprint.js';
import { lmComparisons, pairedComparisons } from './comparisons.js';
import { demoDir, loadDemos, recordDemos } from './demo-store.js';
import { paddedFastDecoder } from './fast-metrics.js';
import { type GrpoSummary, summarizeGrpo } from './grpo-summary.js';
import { trainGrpo, trainLanguageModel } from './language-models.js';
import {
  type AlternativeTarget,
  evaluateLanguageModel,
  evaluateTarget,
  fastAnswerNll,
  fastReference,
  type LmScores,
  vqaImageUse,
} from './lm-eval.js';
import { shareOf } from './mixture.js';
import { architectureOf, deviations, imageTokensOf, type PipelinePreset } from './presets.js';
import { type GrpoLogs, type Results, readGrpoLogs, relativeImprovements, writeReport } from './report.js';
import { type StageName, StageRunner } from './stage-runner.js';
import {
  GRPO_TARGETS,
  type GrpoVariant,
  hasAlternativeTargets,
  isGrpoVariant,
  type Variant,
  withPrerequisites,
} from './variants.js';
import { PRETRAINED_VISION, pretrainVisionTower } from './vision-stage.js';
import { ablateVlaInputs, benchmarkVla, benchmarkVlaShard, type VlaScores } from './vla.js';
import { mergeVlaShards, readVlaShards, writeVlaShard } from './vla-shards.js';
import { runsVlaStage, type VlaStageSelection } from './vla-workers.js';

/** Options of {@link runPipeline}. */
export interface RunOptions {
  preset: PipelinePreset;
  out: string;
  /** The variants to run instead of the preset's (with their prerequisites, see `withPrerequisites`). */
  variants?: readonly Variant[];
  /**
   * Evaluate only this share of every VLA stage's episodes and chains (each shard trains the same heads),
   * write it under `vla-shards/`, and stop before the report; without it, a run merges the shards it finds.
   */
  shard?: Shard;
  /**
   * Which VLA stages this process runs (default `'all'`, then the report); the others stop before the
   * report and return null. `--jobs` runs `'none'` first, then one process per worker.
   */
  vlaStages?: VlaStageSelection;
  from?: StageName;
  device: 'cpu' | 'cuda';
  /** ONNX Runtime's intra-op threads per session (default: its own choice, one per core). */
  intraOpThreads?: number;
  log: (line: string) => void;
}

/**
 * The SFT variants' sources (each starts from base). roboalign-sft also learns the alternative targets' answer
 * format where the run has them, so that every GRPO variant starts from the same model.
 */
export function sftRecipes(data: Pick<DataStageResult, 'train'>) {
  const mllm = [data.train.general, data.train.robot, data.train.reasoning];
  const alternatives = [data.train.sftHighLevel, data.train.sftTrajectory].filter(
    (path): path is string => path !== undefined,
  );
  return {
    'sft-mllm': mllm,
    'sft-fast': [data.train.fast],
    'roboalign-sft': [...mllm, data.train.fast, ...alternatives],
  } as const;
}

/** The RL prompts of a GRPO variant's target, training or held-out split. */
function rlPathOf(paths: DataStageResult['train' | 'heldOut'], variant: GrpoVariant): string {
  const target = GRPO_TARGETS[variant];
  const path =
    target === 'fast' ? paths.rl : target === 'high-level' ? paths.rlHighLevel : paths.rlTrajectory;
  if (path === undefined)
    throw new Error(
      `${variant} needs the ${target} RL prompts, which the data stage wrote without alternativeTargets`,
    );
  return path;
}

/**
 * The RoboAlign experiment end to end: data → tokenizer → vision pretraining → base pretraining → SFT
 * variants → GRPO → language-model evaluation → ONNX export → demonstrations → frozen-VLM heads and
 * benchmarks → report.
 * Each stage writes its artifacts into `out` and is skipped on a re-run with unchanged inputs. Returns the
 * results, or null for a run with `shard` or a `vlaStages` other than `'all'` (which stop before the report).
 */
export async function runPipeline(options: RunOptions): Promise<Results | null> {
  const { out, log } = options;
  const variants = withPrerequisites(options.variants ?? options.preset.variants);
  const preset = { ...options.preset, variants };
  const { fastShare } = preset;
  // Named before any stage runs, not when roboalign-sft's mixture is built after the base model.
  if (fastShare !== undefined && !(fastShare > 0 && fastShare < 1))
    throw new Error(`preset ${preset.name}: fastShare must be in (0, 1), got ${fastShare}`);
  // From the preset's variants as well as the selected ones: the data, and so every model, of a run with
  // `--variants` is then the same as the preset's full run, and its stages are shared with it.
  const alternativeTargets = hasAlternativeTargets([...options.preset.variants, ...variants]);
  const session = {
    executionProviders: options.device === 'cuda' ? (['cuda', 'cpu'] as const) : (['cpu'] as const),
    ...(options.intraOpThreads !== undefined ? { intraOpThreads: options.intraOpThreads } : {}),
  };
  const code = codeFingerprint();
  const runner = new StageRunner(out, {
    code: code.sources,
    from: options.from,
    log,
    machine: machineLabel(),
  });
  const t0 = performance.now();

  const data = await runner.run(
    'data',
    {
      samples: preset.samples,
      rl: preset.rlFraction,
      fast: preset.fast,
      imageSize: preset.imageSize,
      seed: preset.seed,
      // Only in runs that have it, so the data stage of the others keeps its hash.
      ...(alternativeTargets ? { alternativeTargets } : {}),
    },
    [],
    () =>
      generateData({
        out: join(out, 'data'),
        samples: preset.samples,
        rlFraction: preset.rlFraction,
        fast: preset.fast,
        imageSize: preset.imageSize,
        seed: preset.seed,
        alternativeTargets,
      }),
  );

  const tokenizerDir = join(out, 'tokenizer');
  await runner.run(
    'tokenizer',
    { textVocabSize: preset.textVocabSize, maxLength: preset.maxLength, imageTokens: imageTokensOf(preset) },
    ['data'],
    async () => {
      const corpus = (await readFile(data.corpus, 'utf8')).split('\n').filter((l) => l.length > 0);
      const files = trainVlmTokenizer(corpus, {
        textVocabSize: preset.textVocabSize,
        fastVocabSize: data.fastVocabSize,
        imageTokens: imageTokensOf(preset),
        maxLength: preset.maxLength,
      });
      await saveVlmTokenizer(tokenizerDir, files);
      return { dir: tokenizerDir };
    },
  );
  const tokenizer = await VlmTokenizer.load(tokenizerDir);
  const modelDir = (v: Variant) => join(out, 'models', v);
  // The vision stage: a pretrained ViT that every language model keeps frozen (see `PRETRAINED_VISION`).
  const visionDir = join(out, 'models', 'vision');
  const withVision = preset.visionSteps > 0;
  const vision = withVision
    ? await runner.run(
        'vision',
        {
          arch: architectureOf(preset),
          seed: preset.seed,
          maxLength: preset.maxLength,
          steps: preset.visionSteps,
        },
        ['data', 'tokenizer'],
        async () => {
          const result = await pretrainVisionTower({
            tokenizer,
            preset,
            train: [data.train.general, data.train.robot, data.train.reasoning],
            heldOut: [data.heldOut.general, data.heldOut.robot, data.heldOut.reasoning],
            out: visionDir,
            metricsPath: join(visionDir, 'metrics.jsonl'),
            session,
          });
          log(
            `[vision] held-out patch accuracy ${result.heldOut.all.toFixed(3)}, objects and fixtures ${result.heldOut.foreground.toFixed(3)} (${result.images} training images, ${result.classes.length} classes)`,
          );
          return result;
        },
      )
    : null;
  const frozen = withVision ? PRETRAINED_VISION : [];
  const lmConfig = {
    arch: architectureOf(preset),
    batch: preset.batchSize,
    lr: preset.lr,
    seed: preset.seed,
    maxLength: preset.maxLength,
    frozen,
  };

  await runner.run(
    'base',
    { ...lmConfig, steps: preset.pretrainSteps },
    withVision ? ['tokenizer', 'vision'] : ['tokenizer'],
    (runId) =>
      trainLanguageModel({
        runId,
        tokenizer,
        preset,
        out: modelDir('base'),
        ...(withVision ? { from: visionDir } : {}),
        frozen,
        sources: [data.train.general],
        steps: preset.pretrainSteps,
        progressLabel: 'base',
        session,
      }),
  );
  for (const [variant, sources] of Object.entries(sftRecipes(data)) as Array<[Variant, readonly string[]]>) {
    if (!variants.includes(variant)) continue;
    // Only roboalign-sft mixes FAST rows with other sources; a fixed FAST share applies to it alone.
    const shares =
      variant === 'roboalign-sft' && fastShare !== undefined
        ? shareOf(sources, data.train.fast, fastShare)
        : undefined;
    const config = { ...lmConfig, steps: preset.sftSteps, ...(shares ? { fastShare } : {}) };
    await runner.run(variant, config, ['base'], (runId) =>
      trainLanguageModel({
        runId,
        tokenizer,
        preset,
        out: modelDir(variant),
        from: modelDir('base'),
        sources,
        shares,
        steps: preset.sftSteps,
        progressLabel: variant,
        session,
        frozen,
      }),
    );
  }
  const fast = await loadFastTokenizer(data.fastTokenizer);
  const shape = { horizon: preset.fast.horizon, dim: ACTION_DIM };
  const decodeFast = paddedFastDecoder(fast, shape);
  // GRPO from roboalign-sft, one stage per target: the same preset, steps, prompts and samples.
  const grpo: Partial<Record<GrpoVariant, Awaited<ReturnType<typeof trainGrpo>>>> = {};
  for (const variant of variants.filter(isGrpoVariant)) {
    const target = GRPO_TARGETS[variant];
    grpo[variant] = await runner.run(
      variant,
      { ...lmConfig, grpo: preset.grpo, target },
      ['roboalign-sft'],
      async () =>
        trainGrpo({
          tokenizer,
          preset,
          from: modelDir('roboalign-sft'),
          out: modelDir(variant),
          target,
          rl: await readTargetPrompts(rlPathOf(data.train, variant), target),
          frozen,
          decodeFast,
          session,
          log,
          label: variant,
        }),
    );
  }

  // The alternative targets' held-out prompts, scored for every variant in runs that have them.
  const heldOutTargets: Array<[AlternativeTarget, string]> = alternativeTargets
    ? [
        ['high-level', rlPathOf(data.heldOut, 'align-highlevel')],
        ['trajectory', rlPathOf(data.heldOut, 'align-trajectory')],
      ]
    : [];
  const lm = await runner.run('lm-eval', preset.lmEval, variants, async () => {
    const scores: Partial<Record<Variant, LmScores>> = {};
    const reference = await fastReference(fast, data.train.fast, shape);
    const bar = progressBar({ label: 'lm-eval', total: variants.length });
    for (const [i, v] of variants.entries()) {
      const model = await Vlm.load(modelDir(v), tokenizer, session);
      const { samples, ...generated } = await evaluateLanguageModel(model, fast, data.heldOut, reference, {
        ...preset.lmEval,
        horizon: shape.horizon,
        actionDim: shape.dim,
        imageSize: preset.imageSize,
      });
      const s: LmScores = {
        ...generated,
        answerNll: await fastAnswerNll(model, data.heldOut.fast, preset.lmEval.prompts),
        imageUse: {
          general: await vqaImageUse(model, data.heldOut.general, preset.lmEval.prompts),
          robot: await vqaImageUse(model, data.heldOut.robot, preset.lmEval.prompts),
        },
      };
      const lines: unknown[] = [...samples];
      for (const [target, path] of heldOutTargets) {
        const { samples: answers, ...targetScores } = await evaluateTarget(
          model,
          path,
          target,
          preset.lmEval,
        );
        s.targets = { ...s.targets, [target]: targetScores };
        lines.push(...answers);
      }
      // The answers behind the table, small enough to commit with the results.
      await writeFileAtomic(
        join(out, 'lm-samples', `${v}.jsonl`),
        `${lines.map((x) => JSON.stringify(x)).join('\n')}\n`,
      );
      scores[v] = s;
      await model.release();
      log(
        `[lm-eval] ${v}: format ${s.formatRate.toFixed(2)}, prefix ${s.prefixSimilarity.direct.toFixed(3)} (constant ${s.constantBaseline.toFixed(3)}, grey images ${s.greyImages?.prefixSimilarity.toFixed(3)}), MAE ${s.actionMae.toFixed(3)} (mean chunk ${s.meanChunkMae.toFixed(3)}), distinct ${s.distinctAnswers.toFixed(2)}`,
      );
      bar.update(i + 1);
    }
    bar.stop();
    return scores;
  });

  await runner.run('export', { batch: 1 }, variants, async () => {
    // The exported files must be the models that were measured: their prefill logits are checked against
    // the in-process model on held-out prompts.
    const checked = (await readRlPrompts(data.heldOut.fast))
      .slice(0, EXPORT_CHECK_PROMPTS)
      .map((r) => r.prompt);
    const maxAbsLogitDifference: Partial<Record<Variant, number>> = {};
    for (const v of variants) {
      const model = await Vlm.load(modelDir(v), tokenizer, session);
      const dir = join(out, 'onnx', v);
      const promptLength = preset.maxLength - 64;
      await exportOnnx(model, dir, { batch: 1, maxNewTokens: 64, promptLength });
      const difference = await exportedPrefillDifference(model, dir, checked, { promptLength });
      await model.release();
      if (!(difference <= EXPORT_TOLERANCE))
        throw new Error(
          `the exported ${v} model's logits differ from the model's by ${difference} (over ${EXPORT_TOLERANCE})`,
        );
      maxAbsLogitDifference[v] = difference;
    }
    return { dir: join(out, 'onnx'), maxAbsLogitDifference };
  });

  // Demonstrations from initial states the evaluation never uses (trials from 1000 on): one LeRobot v2.1
  // dataset (PNG frames) per suite, demos/<suite>/.
  // Without chains, no CALVIN-style demonstrations are recorded or read.
  const runsChains = preset.vla.chains > 0;
  await runner.run('demos', { ...preset.vla, imageSize: preset.imageSize }, [], async () => {
    for (const suite of [...preset.vla.suites, ...(runsChains ? ['calvin'] : [])]) {
      await recordDemos(suite, demoDir(out, suite), {
        episodes: suite === 'calvin' ? preset.vla.demoChains : preset.vla.demosPerTask,
        firstTrial: 1000,
        imageSize: preset.imageSize,
      });
    }
    return { dir: join(out, 'demos') };
  });

  const loadAllDemos = async () => ({
    libero: Object.fromEntries(
      await Promise.all(preset.vla.suites.map(async (s) => [s, await loadDemos(demoDir(out, s))] as const)),
    ),
    calvin: runsChains ? await loadDemos(demoDir(out, 'calvin')) : [],
  });
  const vlaOptions = {
    ...preset.vla,
    inputs: { features: preset.vla.features, state: true },
    seed: preset.seed,
    imageSize: preset.imageSize,
    policySeed: POLICY_SEED,
    session,
  };

  const vlaSelection = options.vlaStages ?? 'all';
  if (options.shard && vlaSelection !== 'all')
    throw new Error('runPipeline: shard and vlaStages split the VLA stages in two different ways; give one');
  const withAblation = preset.vla.ablationTrials > 0;
  const runsHere = (stage: StageName) => runsVlaStage(vlaSelection, stage);

  // The head-input ablation on the base backbone, on validation initial states (settings are chosen there).
  const ablation =
    withAblation && (await runsHere('vla-ablation'))
      ? await runner.run(
          'vla-ablation',
          { ...preset.vla, imageSize: preset.imageSize },
          ['demos', 'base'],
          async (_hash, units) => {
            const base = await Vlm.load(modelDir('base'), tokenizer, session);
            const rows = await ablateVlaInputs(base, (await loadAllDemos()).libero, {
              ...vlaOptions,
              validationTrials: preset.vla.ablationTrials,
              units,
            });
            await base.release();
            log(
              `[vla-ablation] ${rows.map((r) => `${JSON.stringify(r.inputs)} ${r.successes}/${r.episodes}`).join(', ')}`,
            );
            return rows;
          },
        )
      : null;

  // One stage per variant, so an interrupted benchmark resumes at the variant it stopped in. One model
  // whose weights are swapped per variant: the feature graphs compile once. With `shard`, each variant's
  // share of the episodes goes to `vla-shards/<variant>/<stage hash>/` instead, and the run stops there; a
  // later run without `shard` merges the shards it finds under the same hash.
  let model: Vlm | undefined;
  const backbone = async (v: Variant) => {
    if (model === undefined) model = await Vlm.load(modelDir(v), tokenizer, session);
    else await model.loadWeightsFrom(modelDir(v));
    return model;
  };
  const vla: Partial<Record<Variant, VlaScores>> = {};
  for (const v of variants) {
    const stage = `vla-${v}` as const;
    if (!(await runsHere(stage))) continue;
    const config = { ...preset.vla, imageSize: preset.imageSize };
    const shardDir = (hash: string) => join(out, 'vla-shards', v, hash);
    if (options.shard) {
      const dir = shardDir(runner.hashOf(stage, config, ['demos', v]));
      if (existsSync(join(dir, shardFileName(options.shard)))) {
        log(`[${stage}] shard ${formatShard(options.shard)} already done, skipped`);
        continue;
      }
      const output = await benchmarkVlaShard(await backbone(v), await loadAllDemos(), {
        ...vlaOptions,
        shard: options.shard,
      });
      log(`[${stage}] wrote ${await writeVlaShard(dir, output)}`);
      continue;
    }
    vla[v] = await runner.run(stage, config, ['demos', v], async (hash, units) => {
      const shards = existsSync(shardDir(hash)) ? await readVlaShards(shardDir(hash)) : [];
      if (shards.length > 0) log(`[${stage}] merging ${shards.length} shards from ${shardDir(hash)}`);
      const scores =
        shards.length > 0
          ? mergeVlaShards(shards, { tolerance: SHARD_HEAD_TOLERANCE })
          : await benchmarkVla(await backbone(v), await loadAllDemos(), {
              ...vlaOptions,
              units,
            });
      log(
        `[${stage}] ${Object.entries(scores.libero)
          .map(([s, r]) => `${s} ${(100 * r.successRate).toFixed(0)}%`)
          .join(', ')}${scores.calvin ? `, calvin ${scores.calvin.avgLen.toFixed(2)}` : ''}`,
      );
      return scores;
    });
  }
  await model?.release();
  if (options.shard) {
    log(
      `shard ${formatShard(options.shard)} done; when every shard is, run the same command without --shard (same --out) to merge them and write the report`,
    );
    return null;
  }
  if (vlaSelection !== 'all') return null;

  // Each GRPO run's summary: RoboAlign's under `grpo`, the alternatives' under `alternativeGrpo`.
  // (A results folder can hold the logs of variants this run left out.)
  const grpoLogs = Object.fromEntries(
    Object.entries(await readGrpoLogs(out)).filter(([v]) => grpo[v as GrpoVariant] !== undefined),
  ) as GrpoLogs;
  const grpoSummaries: Partial<Record<GrpoVariant, GrpoSummary>> = {};
  for (const [v, rows] of Object.entries(grpoLogs) as Array<[GrpoVariant, Record<string, number>[]]>) {
    const run = grpo[v];
    if (run !== undefined && rows.length > 0)
      grpoSummaries[v] = summarizeGrpo(rows, {
        nonZeroVarianceBefore: run.nonZeroVarianceBefore,
        seed: preset.seed,
      });
  }
  const { roboalign: roboalignGrpo, ...alternativeGrpo } = grpoSummaries;
  const results: Results = {
    preset: preset.name,
    variants: Object.fromEntries(variants.map((v) => [v, { lm: lm[v]!, ...vla[v]! }])),
    relative: {},
    comparisons: [],
    lmComparisons: [],
    grpo: roboalignGrpo ?? null,
    ...(alternativeTargets ? { alternativeGrpo } : {}),
    vla: { ablation },
    vision: vision && {
      images: vision.images,
      classes: vision.classes.length,
      heldOut: { all: vision.heldOut.all, foreground: vision.heldOut.foreground },
    },
    manifest: {},
  };
  results.comparisons = pairedComparisons(results.variants, POLICY_SEED, preset.vla.trials);
  results.relative = relativeImprovements(results.comparisons);
  results.lmComparisons = lmComparisons(results.variants, POLICY_SEED);
  const vlaStages = variants.map((v) => `vla-${v}` as const);
  await runner.run('report', { results }, [...vlaStages, 'lm-eval'], async () => {
    results.manifest = {
      preset,
      seeds: {
        data: preset.seed,
        models: preset.seed,
        evaluationPolicy: POLICY_SEED,
        initialStates: 'evaluation trials 0+, validation 500+, demonstrations 1000+',
      },
      device: options.device,
      code,
      // The machine of this invocation (the report); `stages` says where each result was computed.
      machine: machine(),
      stages: runner.provenance(),
      packages: await packageVersions(),
      // Stage times as each stage measured them when it ran; `total` is their sum, whatever was skipped now.
      wallTimeSeconds: stageTimes(runner),
      thisInvocationSeconds: (performance.now() - t0) / 1000,
      grpoMeanReward: grpo.roboalign?.meanReward ?? null,
      deviations: deviations(preset, alternativeTargets),
    };
    await writeReport(out, results, grpoLogs);
    return { dir: out };
  });
  return results;
}

/** The machine the run measured its stage times on. */
function machine() {
  const cores = cpus();
  return {
    cpu: cores[0]?.model.trim() ?? 'unknown',
    cores: cores.length,
    memoryGiB: +(totalmem() / 2 ** 30).toFixed(1),
    platform: `${process.platform} ${process.arch}`,
    node: process.version,
    // ONNX Runtime picks kernels by instruction set, so results reproduce on the same kind of machine only.
    cpuFlags: describeMachine().cpuFlags ?? [],
  };
}

/** The vector instruction sets that decide ONNX Runtime's kernels, the part of the CPU flags that matters here. */
const KERNEL_FLAGS = ['avx512f', 'avx2', 'fma', 'avx', 'sse4_2', 'asimd'];

/** A one-line machine label for stage records: CPU model, cores and vector instruction sets. */
export function machineLabel(): string {
  const cores = cpus();
  const flags = new Set(describeMachine().cpuFlags ?? []);
  const vector = KERNEL_FLAGS.filter((f) => flags.has(f));
  return `${cores[0]?.model.trim() ?? 'unknown CPU'}, ${cores.length} cores${vector.length ? `, ${vector.join(' ')}` : ''}`;
}

/** Versions of the packages this example runs on (its dependencies, as installed beside it). */
async function packageVersions(): Promise<Record<string, string>> {
  const root = join(import.meta.dirname, '..', '..');
  const own = JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as {
    dependencies: Record<string, string>;
    devDependencies: Record<string, string>;
  };
  const names = [...Object.keys(own.dependencies), ...Object.keys(own.devDependencies)];
  const versions: Record<string, string> = {};
  for (const name of names) {
    const path = join(root, 'node_modules', name, 'package.json');
    if (existsSync(path))
      versions[name] = (JSON.parse(await readFile(path, 'utf8')) as { version: string }).version;
  }
  return versions;
}

function stageTimes(runner: StageRunner): Record<string, number> {
  const times = runner.wallTimes();
  const total = Object.values(times).reduce((a, b) => a + b, 0);
  return { ...times, total: +total.toFixed(1) };
}

/**
 * Relative difference accepted between shards' head losses: every shard trains the same heads, but ONNX
 * Runtime sums floats across threads in no fixed order and Adam amplifies the last bits, so two trainings
 * differ by about 1e-4, and by up to 1.1e-3 (both measured in the smoke preset), as two unsharded runs do.
 */
const SHARD_HEAD_TOLERANCE = 1e-2;

/** Held-out prompts on which each exported model is checked against the in-process one. */
const EXPORT_CHECK_PROMPTS = 2;
/** Largest logit difference accepted: float32 rounding, as ONNX Runtime folds embedded weights differently. */
const EXPORT_TOLERANCE = 1e-3;

/**
 * Seed of the policies' sampling in evaluation, apart from every training seed. Initial states are fixed by
 * trial number: evaluation trials 0+, validation 500+, demonstrations 1000+.
 */
export const POLICY_SEED = 7;
