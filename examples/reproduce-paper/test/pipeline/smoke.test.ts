// The smoke preset end to end: every stage at toy size, every output file of the contract present and
// parsable, and a re-run that does no work.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Vlm, VlmTokenizer } from '@roboalign/vlm';
import ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { freshModel, PIPELINE_PRESETS } from '../../src/pipeline/presets.js';
import type { Results } from '../../src/pipeline/report.js';
import { runPipeline } from '../../src/pipeline/run.js';
import { STAGES, unitMemoPath } from '../../src/pipeline/stage-runner.js';
import { VARIANTS } from '../../src/pipeline/variants.js';
import { ABLATION_INPUT_SETS } from '../../src/pipeline/vla.js';

describe('the smoke preset', () => {
  it('runs every stage and writes the results layout other tools read; a re-run does no work', async () => {
    const out = await mkdtemp(join(tmpdir(), 'reproduce-smoke-'));
    const preset = PIPELINE_PRESETS.smoke;
    const lines: string[] = [];
    await runPipeline({ preset, out, device: 'cpu', intraOpThreads: 1, log: (l) => lines.push(l) });

    const results = JSON.parse(await readFile(join(out, 'results.json'), 'utf8')) as Results;
    expect(results.preset).toBe('smoke');
    expect(Object.keys(results.variants).sort()).toEqual([...VARIANTS].sort());
    for (const v of VARIANTS) {
      const r = results.variants[v]!;
      // Rates in [0, 1]: a NaN fails these, where `>= 0` or a typeof check let it through.
      for (const rate of [
        r.lm.formatRate,
        r.lm.decodeRate,
        r.lm.prefixSimilarity.direct,
        r.lm.prefixSimilarity.reasoning,
        r.lm.vqaAccuracy.mean,
        r.lm.constantBaseline,
        r.lm.distinctAnswers,
        r.lm.greyImages?.prefixSimilarity,
        r.lm.greyImages?.distinctAnswers,
      ]) {
        expect(rate).toBeGreaterThanOrEqual(0);
        expect(rate).toBeLessThanOrEqual(1);
      }
      expect(r.lm.distinctAnswers).toBeGreaterThan(0);
      expect(r.lm.meanChunkMae).toBeGreaterThan(0);
      for (const nll of Object.values(r.lm.answerNll)) expect(nll).toBeGreaterThan(0);
      expect(Object.keys(r.lm.imageUse!).sort()).toEqual(['general', 'robot']);
      for (const use of Object.values(r.lm.imageUse!))
        expect(Math.min(use.real, use.grey)).toBeGreaterThan(0);
      for (const suite of preset.vla.suites) {
        const s = r.libero[suite];
        expect(s.episodes).toBe((preset.vla.tasks?.length ?? 10) * preset.vla.trials * preset.vla.headSeeds);
        expect(s.ci95[0]).toBeLessThanOrEqual(s.successRate);
        expect(s.ci95[1]).toBeGreaterThanOrEqual(s.successRate);
      }
      expect(r.calvin!.chains).toBe(preset.vla.chains * preset.vla.headSeeds);
      expect(r.headLoss.libero).toHaveLength(preset.vla.headSeeds);
      expect(r.calvin!.avgLen).toBeGreaterThanOrEqual(0);
      expect(r.calvin!.avgLen).toBeLessThanOrEqual(5);
      expect(r.libero[preset.vla.suites[0]].outcomes).toHaveLength(r.libero[preset.vla.suites[0]].episodes);
      expect(r.calvin!.lengths).toHaveLength(r.calvin!.chains);
      // Ten demonstrations (one per task): the probe runs; at this size its R² can be anything but NaN.
      expect(Number.isFinite(r.probe!.actionR2)).toBe(true);
      // The demonstrations carry the target's position, so the object probe runs too.
      expect(Number.isFinite(r.probe!.objectR2)).toBe(true);
      expect(r.probe!.ci95[0]).toBeLessThanOrEqual(r.probe!.ci95[1]);
      expect(existsSync(join(out, 'models', v, 'model.safetensors'))).toBe(true);
      expect(JSON.parse(await readFile(join(out, 'models', v, 'config.json'), 'utf8')).model_type).toBe(
        'roboalign_vlm',
      );
      for (const file of ['prefill.onnx', 'decode.onnx']) {
        const session = await ort.InferenceSession.create(join(out, 'onnx', v, file));
        expect(session.outputNames).toContain('logits');
        await session.release();
      }
    }
    expect(Object.keys(results.relative)).toContain('roboalign vs roboalign-sft');
    // The exported ONNX files were checked against the in-process models they came from.
    const exported = JSON.parse(await readFile(join(out, 'stages', 'export.json'), 'utf8')).value as {
      maxAbsLogitDifference: Record<string, number>;
    };
    expect(Object.keys(exported.maxAbsLogitDifference).sort()).toEqual([...VARIANTS].sort());
    for (const d of Object.values(exported.maxAbsLogitDifference)) expect(d).toBeLessThan(1e-3);
    // The head-input ablation: state only, blind instruction words + state, features only, both; scored
    // on validation initial states.
    // As many as the workers' dealing counts heads for.
    expect(results.vla.ablation).toHaveLength(ABLATION_INPUT_SETS);
    expect(results.vla.ablation!.map((r) => r.inputs)).toEqual([
      { features: 'none', state: true },
      { features: 'instruction', state: true },
      { features: preset.vla.features, state: false },
      { features: preset.vla.features, state: true },
    ]);
    for (const row of results.vla.ablation!) {
      expect(row.episodes).toBe((preset.vla.tasks?.length ?? 10) * preset.vla.ablationTrials);
      expect(Number.isFinite(row.headLoss)).toBe(true);
    }
    expect(results.comparisons.map((c) => `${c.a} vs ${c.b}: ${c.metric}`)).toContain(
      'roboalign vs roboalign-sft: libero-success',
    );
    for (const c of results.comparisons) {
      // NaN fails every one of these, unlike a `>= 0` check on its own.
      expect(c.pValue).toBeGreaterThanOrEqual(0);
      expect(c.pValue).toBeLessThanOrEqual(1);
      expect(c.ci95[0]).toBeLessThanOrEqual(c.difference);
      expect(c.ci95[1]).toBeGreaterThanOrEqual(c.difference);
      expect(c.n).toBe(c.metric === 'libero-success' ? (preset.vla.tasks?.length ?? 10) : preset.vla.chains);
    }
    // One GRPO step: no reward-rise interval, but every share is a rate.
    const grpo = results.grpo!;
    expect(grpo.steps).toBe(preset.grpo.steps);
    expect(grpo.rewardRiseCi95).toBeNull();
    for (const rate of [grpo.zeroVarianceFraction, grpo.nonZeroVarianceBefore!]) {
      expect(rate).toBeGreaterThanOrEqual(0);
      expect(rate).toBeLessThanOrEqual(1);
    }
    expect(Number.isFinite(grpo.finalKl)).toBe(true);
    // The alternative alignments (issue #22): their own GRPO runs, answers to both targets' held-out prompts
    // from every model, and their paired comparisons with RoboAlign and base.
    for (const v of ['align-highlevel', 'align-trajectory'] as const) {
      const run = results.alternativeGrpo?.[v];
      expect(run?.steps).toBe(preset.grpo.steps);
      expect(existsSync(join(out, 'plots', `grpo-${v}.png`))).toBe(true);
      for (const b of ['roboalign', 'base'])
        expect(results.comparisons.map((c) => `${c.a} vs ${c.b}: ${c.metric}`)).toContain(
          b === 'roboalign' ? `roboalign vs ${v}: libero-success` : `${v} vs base: libero-success`,
        );
    }
    for (const v of VARIANTS)
      for (const target of ['high-level', 'trajectory'] as const) {
        const t = results.variants[v]!.lm.targets![target]!;
        expect(t.perPrompt).toHaveLength(preset.lmEval.prompts);
        for (const rate of [t.formatRate, t.accuracy]) {
          expect(rate).toBeGreaterThanOrEqual(0);
          expect(rate).toBeLessThanOrEqual(1);
        }
      }
    const samples = (await readFile(join(out, 'lm-samples', 'align-trajectory.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { prompt: string });
    expect(new Set(samples.map((x) => x.prompt))).toEqual(
      new Set(['direct', 'reasoning', 'high-level', 'trajectory']),
    );
    expect((results.manifest as { deviations: string[] }).deviations.join('\n')).toMatch(
      /robot state as text[\s\S]*think-then-act/,
    );
    expect(results.manifest).toHaveProperty('wallTimeSeconds');
    const manifest = results.manifest as { packages: Record<string, string>; machine: { cores: number } };
    expect(manifest.packages['@roboalign/vlm']).toMatch(/^\d+\.\d+\.\d+/);
    expect(manifest.packages['onnxruntime-node']).toBe('1.30.0');
    expect(manifest.machine.cores).toBeGreaterThan(0);
    // Each stage's own machine: where it was computed, whatever run wrote the report (the report stage
    // writes the manifest, so it is not in it yet).
    const stages = (results.manifest as { stages: Record<string, { machine: string }> }).stages;
    expect(Object.keys(stages).sort()).toEqual(STAGES.filter((s) => s !== 'report').sort());
    for (const s of Object.values(stages)) expect(s.machine).toMatch(/\d+ cores/);
    for (const file of ['tokenizer.json', 'tokenizer_config.json'])
      expect(() => JSON.parse(readFileSync(join(out, 'tokenizer', file), 'utf8'))).not.toThrow();
    const md = await readFile(join(out, 'results.md'), 'utf8');
    expect(md).toContain('| roboalign |');
    expect(md).toContain('| align-trajectory | trajectory |');
    // The vision stage: a pretrained tower that every language model kept frozen, GRPO's included.
    expect(results.vision!.images).toBeGreaterThan(0);
    expect(results.vision!.classes).toBeGreaterThanOrEqual(2);
    for (const rate of [results.vision!.heldOut.all, results.vision!.heldOut.foreground]) {
      expect(rate).toBeGreaterThanOrEqual(0);
      expect(rate).toBeLessThanOrEqual(1);
    }
    expect(md).toContain('The vision tower was pretrained');
    const tokenizer = await VlmTokenizer.load(join(out, 'tokenizer'));
    const towerOf = async (dir: string) => {
      const model = await Vlm.load(join(out, 'models', dir), tokenizer);
      const tower = [...model.params].filter(([name]) => name.startsWith('vision_tower.'));
      const projector = model.params.get('multi_modal_projector.linear_1.weight');
      await model.release();
      return { tower, projector };
    };
    const pretrained = await towerOf('vision');
    const fresh = freshModel(tokenizer, preset);
    const untrained = fresh.params.get('vision_tower.position_embedding.weight');
    await fresh.release();
    expect(pretrained.tower.find(([n]) => n === 'vision_tower.position_embedding.weight')?.[1]).not.toEqual(
      untrained,
    );
    for (const v of ['base', 'roboalign-sft', 'roboalign', 'align-trajectory']) {
      const trained = await towerOf(v);
      expect(trained.tower).toEqual(pretrained.tower);
      // The rest of the model trains.
      expect(trained.projector).not.toEqual(pretrained.projector);
    }
    for (const plot of ['success.png', 'pooled.png', 'calvin-chains.png', 'grpo.png']) {
      const png = await readFile(join(out, 'plots', plot));
      expect(png.subarray(1, 4).toString()).toBe('PNG');
    }

    const again: string[] = [];
    await runPipeline({ preset, out, device: 'cpu', intraOpThreads: 1, log: (l) => again.push(l) });
    expect(again.filter((l) => l.endsWith('running'))).toEqual([]);
    expect(again.filter((l) => l.includes('unchanged, skipped'))).toHaveLength(STAGES.length);

    // VLA stages stopped after their last head (records gone, units kept) resume from their recorded units:
    // they run, train and roll out nothing (no unit is written again), and record the same values (so the
    // report, whose inputs are unchanged, is skipped).
    const resumedStages = ['vla-ablation', 'vla-base'] as const;
    const recordValue = (stage: string) =>
      (JSON.parse(readFileSync(join(out, 'stages', `${stage}.json`), 'utf8')) as { value: unknown }).value;
    const unitFiles = resumedStages.map((stage) => readFileSync(unitMemoPath(out, stage), 'utf8'));
    const values = resumedStages.map(recordValue);
    for (const stage of resumedStages) await rm(join(out, 'stages', `${stage}.json`));
    const resumed: string[] = [];
    await runPipeline({ preset, out, device: 'cpu', intraOpThreads: 1, log: (l) => resumed.push(l) });
    expect(resumed.filter((l) => l.endsWith('running'))).toEqual(
      resumedStages.map((stage) => `[${stage}] running`),
    );
    expect(resumedStages.map((stage) => readFileSync(unitMemoPath(out, stage), 'utf8'))).toEqual(unitFiles);
    expect(resumedStages.map(recordValue)).toEqual(values);

    // `--variants base` in the same folder: the data has the preset's alternative targets all the same, so
    // every stage the subset shares with the full run is reused; only the stages that read every variant run
    // (evaluation, export, report) are redone.
    const subset: string[] = [];
    await runPipeline({
      preset,
      out,
      variants: ['base'],
      device: 'cpu',
      intraOpThreads: 1,
      log: (l) => subset.push(l),
    });
    expect(subset.filter((l) => l.endsWith('running'))).toEqual([
      '[lm-eval] running',
      '[export] running',
      '[report] running',
    ]);

    // The same command on the same machine gives the same results, apart from times. Every run here has one
    // intra-op thread per session: with a thread per core ONNX Runtime sums floats across threads in no fixed
    // order, Adam's normalized steps amplify those last bits (training losses 1e-4 apart typically, 1.1e-3
    // at worst), and under CI's load that once flipped an episode of base between two runs (libero-goal 1/2
    // against 0/2). One thread sums in a fixed order, so every count and outcome must be equal.
    const second = await mkdtemp(join(tmpdir(), 'reproduce-smoke-'));
    await runPipeline({ preset, out: second, device: 'cpu', intraOpThreads: 1, log: () => {} });
    const repeat = JSON.parse(await readFile(join(second, 'results.json'), 'utf8')) as Results;
    const { manifest: _a, ...first } = results;
    const { manifest: _b, ...other } = repeat;
    expectSameResults(other, first, 'results');

    // The VLA stages split over two shards (as two machines sharing the folder would run them), then merged
    // by a run without a shard: the same results as the unsharded run.
    for (const index of [0, 1]) {
      const shardRun = {
        preset,
        out: second,
        from: 'vla-base' as const,
        device: 'cpu' as const,
        intraOpThreads: 1,
      };
      expect(await runPipeline({ ...shardRun, shard: { index, count: 2 }, log: () => {} })).toBeNull();
    }
    const merging: string[] = [];
    await runPipeline({
      preset,
      out: second,
      from: 'vla-base',
      device: 'cpu',
      intraOpThreads: 1,
      log: (l) => merging.push(l),
    });
    expect(merging.filter((l) => l.includes('merging 2 shards'))).toHaveLength(VARIANTS.length);
    const merged = JSON.parse(await readFile(join(second, 'results.json'), 'utf8')) as Results;
    const { manifest: _c, ...mergedResults } = merged;
    expectSameResults(mergedResults, first, 'merged');

    // `--jobs 2`: two workers that each run the VLA stages they claim (here one after the other,
    // in-process, each finding the other's stages already claimed), then the report: each worker runs only
    // the stages it claimed, and the results are the unsplit run's.
    const vlaStages = ['vla-ablation', ...VARIANTS.map((v) => `vla-${v}` as const)];
    const shares = [vlaStages.filter((_, i) => i % 2 === 0), vlaStages.filter((_, i) => i % 2 === 1)];
    const ran: string[][] = [];
    for (const [index, share] of shares.entries()) {
      const claims = await mkdtemp(join(tmpdir(), 'claims-'));
      for (const stage of shares[1 - index]!) await writeFile(join(claims, stage), '');
      const lines: string[] = [];
      expect(
        await runPipeline({
          preset,
          out: second,
          from: 'vla-ablation',
          device: 'cpu',
          intraOpThreads: 1,
          vlaStages: { claims },
          log: (l) => lines.push(l),
        }),
      ).toBeNull();
      ran.push(lines.filter((l) => l.endsWith('running')).map((l) => l.slice(1, l.indexOf(']'))));
      expect(readdirSync(claims).sort()).toEqual([...vlaStages].sort());
      expect(ran[index]).toEqual(share);
    }
    await runPipeline({
      preset,
      out: second,
      from: 'report',
      device: 'cpu',
      intraOpThreads: 1,
      log: () => {},
    });
    const { manifest: _d, ...workersResults } = JSON.parse(
      await readFile(join(second, 'results.json'), 'utf8'),
    ) as Results;
    expectSameResults(workersResults, first, 'workers');
  }, 1_800_000);
});

/** Deep equality, with integers and everything else exact and non-integer numbers to 1e-2 relative. */
function expectSameResults(actual: unknown, expected: unknown, path: string): void {
  if (typeof expected === 'number' && typeof actual === 'number' && !Number.isInteger(expected)) {
    expect(Math.abs(actual - expected), path).toBeLessThanOrEqual(1e-2 * Math.max(1, Math.abs(expected)));
  } else if (expected !== null && typeof expected === 'object') {
    expect(Object.keys(actual as object).sort(), path).toEqual(Object.keys(expected).sort());
    for (const [key, value] of Object.entries(expected))
      expectSameResults((actual as Record<string, unknown>)[key], value, `${path}.${key}`);
  } else {
    expect(actual, path).toEqual(expected);
  }
}
