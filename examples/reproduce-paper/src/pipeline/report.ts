import { existsSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { chartSvg, svgToPng, trainingCurveSvg } from '@roboalign/bench';
import { writeFileAtomic, writeJsonAtomic } from '@roboalign/utils';
import { type Comparison, type LmComparison, pooledLibero } from './comparisons.js';
import type { GrpoSummary } from './grpo-summary.js';
import type { ImageUse, LmScores } from './lm-eval.js';
import { GRPO_TARGETS, type GrpoVariant, type Variant } from './variants.js';
import type { AblationRow, VlaScores } from './vla.js';

/** One variant's results, as `results.json` stores them under `variants.<name>`. */
export interface VariantResults extends VlaScores {
  lm: LmScores;
}

/** The `results.json` document. */
export interface Results {
  preset: string;
  variants: Partial<Record<Variant, VariantResults>>;
  /** Relative improvements, (new − old) / old, in percent; null where old is 0. Read them with `comparisons`. */
  relative: Record<string, { libero: number | null; calvin: number | null }>;
  /** Paired tests of the paper's comparisons, on the same initial states. */
  comparisons: Comparison[];
  /** Paired bootstraps over held-out prompts of the language models' FAST figures. */
  lmComparisons: LmComparison[];
  /** RoboAlign's GRPO signal: zero-variance share, reward rise with its interval, final KL; null without a log. */
  grpo: GrpoSummary | null;
  /** The same for the alternative alignments' GRPO runs, in runs that have them. */
  alternativeGrpo?: Partial<Record<GrpoVariant, GrpoSummary>>;
  /** The head-input ablation on the base backbone (validation initial states); null where the preset skips it. */
  vla: { ablation: AblationRow[] | null };
  /**
   * The vision stage's held-out patch accuracy (all patches, and objects, fixtures and gripper only), its
   * training images and classes; null in runs without one, absent in older results.
   */
  vision?: { images: number; classes: number; heldOut: { all: number; foreground: number } } | null;
  manifest: Record<string, unknown>;
}

/** The paper's rows (RoboAlign, Table 2 and 3), at a different scale; null where the paper has no such row. */
export const PAPER_ROWS: Partial<Record<Variant, { libero: number; calvin: number }>> = {
  base: { libero: 73.9, calvin: 2.16 },
  'roboalign-sft': { libero: 78.7, calvin: 1.89 },
  roboalign: { libero: 86.8, calvin: 2.57 },
};

/**
 * The paper's relative LIBERO improvement over the raw MLLM of each alignment target (Table 6), in percent:
 * RoboAlign's FAST tokens, high-level actions, point trajectories.
 */
export const PAPER_TARGET_IMPROVEMENT: Readonly<Record<GrpoVariant, number>> = {
  roboalign: 17.5,
  'align-highlevel': 13.1,
  'align-trajectory': 15.2,
};

/**
 * RoboAlign's relative improvements over each variant it is compared with, (new − old) / old in percent,
 * read off the paired comparisons; null where old is 0.
 */
export function relativeImprovements(comparisons: readonly Comparison[]): Results['relative'] {
  const out: Results['relative'] = {};
  for (const c of comparisons) {
    if (c.a !== 'roboalign' || c.metric === 'libero-success-by-task') continue;
    const key = `${c.a} vs ${c.b}`;
    out[key] ??= { libero: null, calvin: null };
    out[key][c.metric === 'libero-success' ? 'libero' : 'calvin'] = c.relative?.percent ?? null;
  }
  return out;
}

const pct = (x: number) => (Number.isFinite(x) ? (100 * x).toFixed(1) : '—');
const num = (x: number, d = 2) => (Number.isFinite(x) ? x.toFixed(d) : '—');
/** The grey-image control's cell; results written before it was measured show a dash. */
const greyCell = (grey: LmScores['greyImages']) =>
  grey ? `${num(grey.prefixSimilarity, 3)} / ${num(grey.actionMae, 3)} / ${pct(grey.distinctAnswers)}` : '—';

/** The image-use cell: held-out VQA answer NLL with real / grey images; older results show a dash. */
const imageUseCell = (use: ImageUse | undefined) => (use ? `${num(use.real, 3)} / ${num(use.grey, 3)}` : '—');

/** The Table-2/3-shaped tables with the paper's numbers beside ours, and the language-model table. */
export function resultsMarkdown(results: Results): string {
  const names = Object.keys(results.variants) as Variant[];
  const suites = [...new Set(names.flatMap((n) => Object.keys(results.variants[n]!.libero)))];
  const lines: string[] = [`# RoboAlign in miniature: preset \`${results.preset}\``, ''];
  lines.push(
    '## VLA success (LIBERO-style suites: successes / episodes; pooled in %) and CALVIN-style average chain length',
    '',
  );
  lines.push(
    `| variant | ${suites.join(' | ')} | LIBERO pooled [Wilson 95% of summed counts] | CALVIN avg len [bootstrap 95%] | paper LIBERO avg | paper CALVIN |`,
  );
  lines.push(`|---|${suites.map(() => '---:').join('|')}|---:|---:|---:|---:|`);
  for (const n of names) {
    const v = results.variants[n]!;
    const pooled = pooledLibero(v);
    const paper = PAPER_ROWS[n];
    const perSuite = suites.map((s) =>
      v.libero[s] ? `${v.libero[s].successes}/${v.libero[s].episodes}` : '—',
    );
    const chains = v.calvin
      ? `${num(v.calvin.avgLen)} [${num(v.calvin.ci95[0])}, ${num(v.calvin.ci95[1])}]`
      : '— (not run)';
    lines.push(
      `| ${n} | ${perSuite.join(' | ')} | ${pct(pooled.successRate)} [${pct(pooled.ci95[0])}, ${pct(pooled.ci95[1])}] (${pooled.successes}/${pooled.episodes}) | ${chains} | ${paper ? paper.libero.toFixed(1) : '—'} | ${paper ? paper.calvin.toFixed(2) : '—'} |`,
    );
  }
  lines.push(
    '',
    'The paper columns are Qwen2.5-VL-7B on the real LIBERO and CALVIN: a different scale, shown for the ordering only.',
    '',
  );
  lines.push(...comparisonsMarkdown(results.comparisons));
  lines.push(...alignmentTargetsMarkdown(results));
  if (results.vla.ablation) lines.push(...ablationMarkdown(results.vla.ablation));
  lines.push(
    '## Flow-matching heads (training loss, mean of the last 10% of steps; one value per head: by head seed, then suite where each LIBERO-style suite has its own head)',
    '',
    '| variant | LIBERO-style heads | CALVIN-style head |',
    '|---|---:|---:|',
  );
  for (const n of names) {
    const { headLoss } = results.variants[n]!;
    const list = (xs: readonly number[]) => (xs.length > 0 ? xs.map((x) => num(x, 3)).join(', ') : '—');
    lines.push(`| ${n} | ${list(headLoss.libero)} | ${list(headLoss.calvin)} |`);
  }
  lines.push(
    '',
    '## Feature probe (ridge from frozen features, pooled over the tokens the head reads, to the next action chunk and to the position of what the instruction is about; held-out demonstrations)',
    '',
    '| variant | action R² [bootstrap 95% over episodes] | object position R² [bootstrap 95% over episodes] |',
    '|---|---:|---:|',
  );
  const r2 = (value: number, ci95: [number, number]) =>
    `${num(value, 3)} [${num(ci95[0], 3)}, ${num(ci95[1], 3)}]`;
  for (const n of names) {
    const { probe } = results.variants[n]!;
    // Runs recorded before the demonstrations stored the target's position have no object probe.
    const objectR2 = probe?.objectR2 ?? null;
    const object =
      objectR2 !== null && probe?.objectCi95
        ? r2(objectR2, probe.objectCi95)
        : '— (no environment state in the demonstrations)';
    lines.push(
      probe
        ? `| ${n} | ${r2(probe.actionR2, probe.ci95)} | ${object} |`
        : `| ${n} | — (too few demonstrations) | — |`,
    );
  }
  lines.push('', '## Language models (held-out prompts)', '');
  if (results.vision)
    lines.push(
      `The vision tower was pretrained to name each patch's class (${results.vision.classes} classes, ${results.vision.images} training images), then frozen: on held-out frames it names ${pct(results.vision.heldOut.all)}% of patches, ${pct(results.vision.heldOut.foreground)}% of those that are not the table.`,
      '',
    );
  lines.push(
    '| variant | format rate | prefix sim. (direct) | constant answer | prefix sim. (reasoning) | decoded | action MAE | mean-chunk MAE | distinct answers | grey images: prefix sim. / MAE / distinct | NLL first / 5 / all | VQA general | VQA robot | VQA reasoning | NLL general VQA, real / grey images | NLL robot VQA, real / grey images |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  );
  for (const n of names) {
    const lm = results.variants[n]!.lm;
    lines.push(
      `| ${n} | ${pct(lm.formatRate)} | ${num(lm.prefixSimilarity.direct, 3)} | ${num(lm.constantBaseline, 3)} | ${num(lm.prefixSimilarity.reasoning, 3)} | ${pct(lm.decodeRate)} | ${num(lm.actionMae, 3)} | ${num(lm.meanChunkMae, 3)} | ${pct(lm.distinctAnswers)} | ${greyCell(lm.greyImages)} | ${num(lm.answerNll.first, 2)} / ${num(lm.answerNll.firstFive, 2)} / ${num(lm.answerNll.all, 2)} | ${pct(lm.vqaAccuracy.general)} | ${pct(lm.vqaAccuracy.robot)} | ${pct(lm.vqaAccuracy.reasoning)} | ${imageUseCell(lm.imageUse?.general)} | ${imageUseCell(lm.imageUse?.robot)} |`,
    );
  }
  lines.push(...targetScoresMarkdown(results));
  lines.push(...lmComparisonsMarkdown(results.lmComparisons ?? []));
  lines.push(...grpoMarkdown({ roboalign: results.grpo ?? undefined, ...results.alternativeGrpo }));
  return `${lines.join('\n')}\n`;
}

/** The language models' paired comparisons over held-out prompts. */
export function lmComparisonsMarkdown(rows: readonly LmComparison[]): string[] {
  if (rows.length === 0) return [];
  const signed = (x: number) => `${x >= 0 ? '+' : ''}${x.toFixed(3)}`;
  return [
    '',
    '## Language models compared on the same held-out prompts (paired bootstrap)',
    '',
    '| comparison | metric | difference [95%] | p | prompts |',
    '|---|---|---:|---:|---:|',
    ...rows.map(
      (c) =>
        `| ${c.a} vs ${c.b} | ${c.metric} | ${signed(c.difference)} [${signed(c.ci95[0])}, ${signed(c.ci95[1])}] | ${c.pValue.toFixed(3)} | ${c.n} |`,
    ),
  ];
}

/** The GRPO signal of each run: does the reward vary within groups, does it rise, how far does the policy move. */
export function grpoMarkdown(runs: Partial<Record<GrpoVariant, GrpoSummary>>): string[] {
  const rows = (Object.keys(GRPO_TARGETS) as GrpoVariant[]).flatMap((v) => {
    const grpo = runs[v];
    if (grpo === undefined) return [];
    const rise = grpo.rewardRiseCi95
      ? `[${num(grpo.rewardRiseCi95[0], 3)}, ${num(grpo.rewardRiseCi95[1], 3)}]`
      : '— (under 8 steps)';
    return [
      `| ${v} | ${GRPO_TARGETS[v]} | ${grpo.nonZeroVarianceBefore === null ? '—' : pct(grpo.nonZeroVarianceBefore)} | ${pct(grpo.zeroVarianceFraction)} | ${num(grpo.rewardFirstQuarter, 3)} | ${num(grpo.rewardLastQuarter, 3)} | ${rise} | ${num(grpo.finalKl, 3)} |`,
    ];
  });
  if (rows.length === 0) return [];
  return [
    '',
    '## GRPO signal (from roboalign-sft)',
    '',
    '| variant | target | groups with reward variance before GRPO | zero-variance groups (mean over steps) | reward, first quarter | reward, last quarter | rise, bootstrap 95% | final KL |',
    '|---|---|---:|---:|---:|---:|---:|---:|',
    ...rows,
  ];
}

/**
 * The paper's Table 6 in miniature, in runs with an alternative alignment: each GRPO target's pooled LIBERO
 * success and its relative improvement over base with the paired interval ("not significant" where the
 * comparison is not), beside the paper's relative improvement.
 */
export function alignmentTargetsMarkdown(results: Pick<Results, 'variants' | 'comparisons'>): string[] {
  const present = (Object.keys(GRPO_TARGETS) as GrpoVariant[]).filter((v) => results.variants[v]);
  if (!present.some((v) => v !== 'roboalign')) return [];
  const lines = [
    "## Alignment targets (the paper's Table 6: relative LIBERO improvement over the raw MLLM)",
    '',
    '| variant | GRPO target | LIBERO pooled | vs base: difference [95% CI] | relative improvement | paper |',
    '|---|---|---:|---:|---:|---:|',
  ];
  for (const v of present) {
    const pooled = pooledLibero(results.variants[v]!);
    const c = results.comparisons.find((x) => x.a === v && x.b === 'base' && x.metric === 'libero-success');
    const difference = c
      ? `${signed(100 * c.difference, 1)} [${signed(100 * c.ci95[0], 1)}, ${signed(100 * c.ci95[1], 1)}]`
      : '—';
    const relative = !c
      ? '—'
      : !c.significant
        ? 'not significant'
        : c.relative
          ? `${signed(c.relative.percent, 1)}% [${signed(c.relative.ci95[0], 1)}, ${signed(c.relative.ci95[1], 1)}]`
          : '— (base is 0)';
    lines.push(
      `| ${v} | ${GRPO_TARGETS[v]} | ${pct(pooled.successRate)} (${pooled.successes}/${pooled.episodes}) | ${difference} | ${relative} | +${PAPER_TARGET_IMPROVEMENT[v].toFixed(1)}% |`,
    );
  }
  return [...lines, ''];
}

/** Each language model's answers to the alternative targets' held-out prompts, in runs that have them. */
export function targetScoresMarkdown(results: Pick<Results, 'variants'>): string[] {
  const names = (Object.keys(results.variants) as Variant[]).filter((n) => results.variants[n]!.lm.targets);
  if (names.length === 0) return [];
  const cell = (s: { formatRate: number; accuracy: number } | undefined) =>
    s ? `${pct(s.formatRate)} | ${num(s.accuracy, 3)}` : '— | —';
  return [
    '',
    "## Alternative targets (held-out RL prompts; the accuracy part of each target's reward)",
    '',
    '| variant | high-level format | high-level accuracy | trajectory format | trajectory accuracy |',
    '|---|---:|---:|---:|---:|',
    ...names.map((n) => {
      const t = results.variants[n]!.lm.targets!;
      return `| ${n} | ${cell(t['high-level'])} | ${cell(t.trajectory)} |`;
    }),
  ];
}

/** The head-input ablation table (base backbone, validation initial states). */
export function ablationMarkdown(rows: readonly AblationRow[]): string[] {
  const label = (r: AblationRow) => {
    const reads = r.inputs.state ? ' + state' : ' only';
    if (r.inputs.features === 'none') return 'state only';
    if (r.inputs.features === 'instruction') return `instruction words, no backbone${reads}`;
    return `${r.inputs.features} features${reads}`;
  };
  return [
    "## Head inputs (base backbone; validation initial states, not the evaluation's)",
    '',
    '| head reads | success [Wilson 95%] | episodes | head loss |',
    '|---|---:|---:|---:|',
    ...rows.map(
      (r) =>
        `| ${label(r)} | ${pct(r.successRate)} [${pct(r.ci95[0])}, ${pct(r.ci95[1])}] | ${r.episodes} | ${num(r.headLoss, 3)} |`,
    ),
    '',
  ];
}

const signed = (x: number, digits: number) => `${x >= 0 ? '+' : '−'}${Math.abs(x).toFixed(digits)}`;

/**
 * The paired comparisons: the difference with its interval and p-value, and a relative improvement only
 * where the interval excludes 0 ("not significant" otherwise).
 */
export function comparisonsMarkdown(comparisons: readonly Comparison[]): string[] {
  const lines = [
    '## Paired comparisons (same initial states; A − B)',
    '',
    'LIBERO-style success: McNemar exact test, Newcombe paired score interval, differences in points; by task: paired bootstrap over tasks (the trials of a task share a head, so McNemar, which treats them as independent, can overstate significance). CALVIN-style length: paired bootstrap over chains.',
    '',
    '| A vs B | metric | difference [95% CI] | p | n | relative improvement |',
    '|---|---|---:|---:|---:|---:|',
  ];
  for (const c of comparisons) {
    const scale = c.metric === 'calvin-length' ? 1 : 100;
    const digits = c.metric === 'calvin-length' ? 2 : 1;
    const relative = !c.significant
      ? 'not significant'
      : c.relative
        ? `${signed(c.relative.percent, 1)}% [${signed(c.relative.ci95[0], 1)}, ${signed(c.relative.ci95[1], 1)}]`
        : '— (B is 0)';
    lines.push(
      `| ${c.a} vs ${c.b} | ${c.metric} | ${signed(scale * c.difference, digits)} [${signed(scale * c.ci95[0], digits)}, ${signed(scale * c.ci95[1], digits)}] | ${c.pValue < 0.001 ? '<0.001' : c.pValue.toFixed(3)} | ${c.n} | ${relative} |`,
    );
  }
  return [...lines, ''];
}

/** The colour order of every plot: the run's variants, so that a variant has one colour in all of them. */
function variantColours(results: Results): string[] {
  return Object.keys(results.variants);
}

/** Success per suite and variant with Wilson whiskers (Vega-Lite through bench's renderer). */
async function successPlot(results: Results): Promise<Uint8Array> {
  const rows = Object.entries(results.variants).flatMap(([variant, v]) =>
    Object.entries(v!.libero).map(([suite, s]) => ({
      variant,
      suite,
      rate: s.successRate,
      low: s.ci95[0],
      high: s.ci95[1],
    })),
  );
  const svg = await chartSvg({
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: 'Success per suite (Wilson 95%)',
    data: { values: rows },
    width: 120,
    height: 200,
    facet: { column: { field: 'suite', type: 'nominal', title: null } },
    spec: {
      layer: [
        {
          mark: 'bar',
          encoding: {
            x: { field: 'variant', type: 'nominal', title: null, sort: null },
            y: { field: 'rate', type: 'quantitative', title: 'success', scale: { domain: [0, 1] } },
            color: {
              field: 'variant',
              type: 'nominal',
              sort: null,
              scale: { scheme: 'tableau10', domain: variantColours(results) },
            },
          },
        },
        {
          mark: 'rule',
          encoding: {
            x: { field: 'variant', type: 'nominal', sort: null },
            y: { field: 'low', type: 'quantitative' },
            y2: { field: 'high' },
          },
        },
      ],
    },
  });
  return svgToPng(svg, 2);
}

/**
 * Pooled LIBERO-style success per variant (Wilson 95% of the summed counts) beside the paper's LIBERO
 * average (Table 2, its own benchmark and scale) where the paper reports the variant.
 */
async function pooledPlot(results: Results): Promise<Uint8Array> {
  const rows = Object.entries(results.variants).map(([variant, v]) => {
    const pooled = pooledLibero(v!);
    const paper = PAPER_ROWS[variant as Variant];
    return {
      variant,
      rate: pooled.successRate,
      low: pooled.ci95[0],
      high: pooled.ci95[1],
      ...(paper && { paper: paper.libero / 100 }),
    };
  });
  const x = { field: 'variant', type: 'nominal', title: null, sort: null } as const;
  const svg = await chartSvg({
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: 'LIBERO-style success, pooled (Wilson 95%); black ticks: the paper (LIBERO, Table 2)',
    data: { values: rows },
    width: 60 * rows.length,
    height: 220,
    layer: [
      {
        mark: 'bar',
        encoding: {
          x,
          y: { field: 'rate', type: 'quantitative', title: 'success', scale: { domain: [0, 1] } },
          color: {
            field: 'variant',
            type: 'nominal',
            sort: null,
            legend: null,
            scale: { scheme: 'tableau10', domain: variantColours(results) },
          },
        },
      },
      { mark: 'rule', encoding: { x, y: { field: 'low', type: 'quantitative' }, y2: { field: 'high' } } },
      {
        mark: { type: 'tick', color: 'black', thickness: 3 },
        encoding: { x, y: { field: 'paper', type: 'quantitative' } },
      },
    ],
  });
  return svgToPng(svg, 2);
}

/**
 * The chain-step curve: share of chains completing at least k subtasks, one line per variant that ran
 * chains; null when none did.
 */
async function chainPlot(results: Results): Promise<Uint8Array | null> {
  const series = Object.entries(results.variants).flatMap(([variant, v]) =>
    v?.calvin
      ? [{ name: variant, points: v.calvin.stepRates.map((value, k) => ({ step: k + 1, value })) }]
      : [],
  );
  if (series.length === 0) return null;
  return svgToPng(
    await trainingCurveSvg(series, {
      title: 'CALVIN-style chains',
      yTitle: 'completed ≥ k',
      xTitle: 'k',
      colorDomain: variantColours(results),
    }),
    2,
  );
}

/** GRPO reward, format rate (the format part's mean) and KL over steps. */
async function grpoPlot(
  grpo: ReadonlyArray<Record<string, number>>,
  variant: GrpoVariant,
): Promise<Uint8Array> {
  const metric = (key: string) =>
    grpo.map((m) => ({ step: m.step, value: m[key] })).filter((p) => Number.isFinite(p.value));
  const series = [
    { name: 'reward', points: metric('reward') },
    { name: 'format rate', points: metric('rewards/format') },
    { name: 'KL', points: metric('kl_mean') },
  ].filter((s) => s.points.length > 0);
  return svgToPng(await trainingCurveSvg(series, { title: `GRPO (${variant})`, yTitle: 'value' }), 2);
}

/** Each GRPO run's per-step log (`grpo.jsonl` rows). */
export type GrpoLogs = Partial<Record<GrpoVariant, Record<string, number>[]>>;

/**
 * The GRPO logs of a results folder: `models/<variant>/grpo.jsonl` as the pipeline writes them, or, for
 * RoboAlign, the top-level `grpo.jsonl` a committed results folder keeps instead of its models.
 */
export async function readGrpoLogs(out: string): Promise<GrpoLogs> {
  const logs: GrpoLogs = {};
  for (const v of Object.keys(GRPO_TARGETS) as GrpoVariant[]) {
    // The model's own log first: the copy beside the report is from the last report (see writeReport).
    const path = [
      join(out, 'models', v, 'grpo.jsonl'),
      join(out, v === 'roboalign' ? 'grpo.jsonl' : `grpo-${v}.jsonl`),
    ].find((p) => existsSync(p));
    if (path === undefined) continue;
    const text = (await readFile(path, 'utf8')).trim();
    logs[v] = text === '' ? [] : text.split('\n').map((l) => JSON.parse(l) as Record<string, number>);
  }
  return logs;
}

/**
 * Writes `results.json`, `results.md` and `plots/*.png` into `out` (`success.png`, `pooled.png`, `calvin-chains.png` when chains ran, `grpo.png`, `grpo-<variant>.png`), and
 * each GRPO log beside them (`grpo.jsonl`, `grpo-<variant>.jsonl`): the copies a results folder keeps when
 * its models are not kept, replaced on every report so that none outlives the run it came from.
 */
export async function writeReport(out: string, results: Results, grpo: GrpoLogs): Promise<void> {
  await writeJsonAtomic(join(out, 'results.json'), results);
  await writeFileAtomic(join(out, 'results.md'), resultsMarkdown(results));
  await writeFileAtomic(join(out, 'plots', 'success.png'), await successPlot(results));
  await writeFileAtomic(join(out, 'plots', 'pooled.png'), await pooledPlot(results));
  const chains = await chainPlot(results);
  const chainPath = join(out, 'plots', 'calvin-chains.png');
  // Without chains, an earlier run's plot must not stay beside this run's results.
  if (chains) await writeFileAtomic(chainPath, chains);
  else await rm(chainPath, { force: true });
  for (const [v, log] of Object.entries(grpo) as Array<[GrpoVariant, Record<string, number>[]]>) {
    if (log.length === 0) continue;
    const name = v === 'roboalign' ? 'grpo' : `grpo-${v}`;
    await writeFileAtomic(join(out, `${name}.jsonl`), log.map((row) => `${JSON.stringify(row)}\n`).join(''));
    await writeFileAtomic(join(out, 'plots', `${name}.png`), await grpoPlot(log, v));
  }
}
