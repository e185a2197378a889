// The numbers the package READMEs promise, checked against the built packages.
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GRPO_PRESETS, groupAdvantages, policyLoss } from '@roboalign/grpo';
import { formatReward, prefixSimilarity, roboalignReward, roboalignRewardParts } from '@roboalign/rewards';
import { describe, expect, it } from 'vitest';

describe('@roboalign/rewards README', () => {
  it('gives the stated values', () => {
    const completion =
      '<think>the bowl is to the left, move left and down</think>\n' +
      '<answer><ACTION_START><FAST_4><FAST_8><FAST_1><ACTION_END></answer>';
    const target = [4, 8, 15, 16];
    expect(formatReward(completion)).toBe(1);
    expect(prefixSimilarity([4, 8, 1], target)).toBe(0.5);
    expect(roboalignReward(completion, target)).toBe(0.75);
    const parts = roboalignRewardParts(completion, target);
    expect(parts).toMatchObject({ reward: 0.75, format: 1, accuracy: 0.5 });
    expect(Array.from(parts.actionIds ?? [])).toEqual([4, 8, 1]);
  });
});

describe('@roboalign/grpo README', () => {
  it('gives the stated values', () => {
    const advantages = groupAdvantages([1, 0, 0.5, 0.5], 2);
    // ≈ [0.707, -0.707, 0, 0]: ±0.5 / (sqrt(0.5) + 1e-4)
    const expected = [Math.SQRT1_2, -Math.SQRT1_2, 0, 0];
    advantages.forEach((a, i) => {
      expect(a).toBeCloseTo(expected[i], 3);
    });
    const p = GRPO_PRESETS.roboalign;
    const { loss, gradLogprobs, metrics } = policyLoss(
      {
        logprobs: [[-0.9, -1.2], [-2.0], [-0.3, -0.4], [-1.0]],
        oldLogprobs: [[-1.0, -1.2], [-2.1], [-0.3, -0.5], [-1.0]],
        refLogprobs: [[-1.0, -1.1], [-2.0], [-0.4, -0.5], [-1.1]],
        advantages,
      },
      { lossType: p.lossType, epsLow: p.epsLow, epsHigh: p.epsHigh, clipRatioC: p.clipRatioC, beta: p.beta },
    );
    // By hand: every ratio is inside the trust region, so the surrogate sums to -A·1.105 - A + A·1.105 = -A
    // (zero-advantage rows add nothing); the token mean divides by 6 tokens; beta times the k3 KLs of the
    // log-ratios ref - logp (four of -0.1, one of 0.1, one of 0).
    const a = advantages[0];
    const k3 = (d: number) => Math.exp(d) - d - 1;
    const kls = [k3(-0.1), k3(0.1), k3(0), k3(-0.1), k3(-0.1), k3(-0.1)];
    expect(loss).toBeCloseTo((-a + p.beta * kls.reduce((s, x) => s + x, 0)) / 6, 12);
    expect(loss).toBeCloseTo(-0.1178, 4); // the value the README states
    expect(metrics.kl_mean).toBeCloseTo(kls.reduce((s, x) => s + x, 0) / 6, 12);
    expect(metrics.clip_fraction_low + metrics.clip_fraction_high + metrics.clip_fraction_dual).toBe(0);
    expect(gradLogprobs.map((g) => g.length)).toEqual([2, 1, 2, 1]);
    // Row 2 has advantage 0: only the KL term pulls, beta (1 - exp(ref - logp)) / 6 per token.
    expect(gradLogprobs[2][0]).toBeCloseTo((p.beta * (1 - Math.exp(-0.1))) / 6, 12);
    expect(metrics.tokens).toBe(6);
  });
});

describe('@roboalign/utils README', () => {
  it('gives the stated values and writes the stated files', async () => {
    const { appendJsonl, mulberry32, progressBar, seedFromName, writeJsonAtomic } = await import(
      '@roboalign/utils'
    );
    expect(mulberry32(42)()).toBe(0.6011037519201636);
    expect(seedFromName('blocks.3.attn.q.weight')).toBe(1758010342);
    expect(seedFromName('blocks.3.attn.q.weight', 7)).toBe(2408182809);
    const dir = await mkdtemp(join(tmpdir(), 'readme-utils-'));
    try {
      const steps = 20;
      const bar = progressBar({ label: 'train', total: steps });
      try {
        for (let step = 1; step <= steps; step++) {
          const loss = 1 / step;
          await appendJsonl(join(dir, 'runs/demo/metrics.jsonl'), { step, loss });
          bar.update(step, { loss: loss.toFixed(4) });
        }
      } finally {
        bar.stop();
      }
      await writeJsonAtomic(join(dir, 'runs/demo/state.json'), { step: steps });
      const lines = (await readFile(join(dir, 'runs/demo/metrics.jsonl'), 'utf8')).trim().split('\n');
      expect(lines).toHaveLength(20);
      expect(JSON.parse(lines[19])).toEqual({ step: 20, loss: 0.05 });
      expect(JSON.parse(await readFile(join(dir, 'runs/demo/state.json'), 'utf8'))).toEqual({ step: 20 });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('@roboalign/onnx-train README', () => {
  it('trains the MLP and runs the exported model', async () => {
    const { AdamW, compileTraining, createSession, Graph, initialValues, linear, ops, toOnnx } = await import(
      '@roboalign/onnx-train'
    );
    const xs = Float32Array.from({ length: 64 }, (_, i) => Math.sin(i * 1.7) * 1.5);
    const ys = Float32Array.from({ length: 32 }, (_, i) => Math.sin(xs[2 * i]) + 0.5 * xs[2 * i + 1]);
    const g = new Graph();
    const x = g.input('x', [32, 2]);
    const target = g.input('y', [32, 1]);
    const y = linear(g, ops.tanh(linear(g, x, 'mlp.0', 16, { seed: 1 })), 'mlp.1', 1, { seed: 2 });
    const d = ops.sub(y, target);
    const loss = ops.reduceMean(ops.mul(d, d), [0, 1]);
    const program = await compileTraining(g, loss, {
      session: { executionProviders: ['cuda', 'cpu'], log: () => {} },
    });
    const params = initialValues(g);
    const opt = new AdamW({ lr: 0.02, weightDecay: 0 });
    const feeds = {
      x: { data: xs, shape: [32, 2], dtype: 'float32' },
      y: { data: ys, shape: [32, 1], dtype: 'float32' },
    } as const;
    let first = 0;
    let last = 0;
    for (let step = 0; step < 300; step++) {
      const { loss: l, grads } = await program.step(feeds, params);
      if (step === 0) first = l;
      last = l;
      opt.step(params, grads);
    }
    expect(last).toBeLessThan(first / 20);
    const model = toOnnx(g, { outputs: [y], parameters: 'initializers', values: params });
    const session = await createSession(model);
    const { [y.name]: prediction } = await session.run({ x: feeds.x });
    expect(prediction.length).toBe(32);
  });
});

describe('@roboalign/bench README', () => {
  it('runs the episode and the evaluations as stated', async () => {
    const { evaluate, makeEnv } = await import('@roboalign/bench');
    const env = await makeEnv('libero-goal', 2, { imageSize: 64 });
    expect(env.task.instruction).toBe('open the drawer');
    const { observation } = env.reset({ trial: 0 });
    expect([observation.image.width, observation.state.length]).toEqual([64, 8]);
    let steps = 0;
    for (let t = 0; t < env.task.maxSteps; t++) {
      const { terminated, truncated, info } = env.step(env.expertAction());
      if (terminated) steps = info.step;
      if (terminated || truncated) break;
    }
    env.close();
    expect(steps).toBe(33);
    const expert = await evaluate('expert', 'libero-goal', { trials: 2, progress: false });
    expect(expert.successRate).toBe(1);
    const still = { act: () => ({ horizon: 10, actions: new Float32Array(70) }) };
    const report = await evaluate(still, 'libero-object', { trials: 1, tasks: [0], progress: false });
    expect(report.successRate).toBe(0);
  }, 120_000);
});

describe('@roboalign/datasets README', () => {
  it('writes, reads and chunks the episode as stated', async () => {
    const { chunkEpisode, readLeRobotDataset, writeLeRobotDataset } = await import('@roboalign/datasets');
    const dir = await mkdtemp(join(tmpdir(), 'readme-datasets-'));
    try {
      const episode = {
        index: 0,
        instruction: 'push the block',
        fps: 10,
        length: 2,
        actions: Float32Array.of(0.1, 0, 0.2, 1),
        actionDim: 2,
        states: Float32Array.of(0, 0, 0.1, 0),
        stateDim: 2,
      };
      await writeLeRobotDataset(join(dir, 'push'), [episode], { robotType: 'toy', overwrite: true });
      const dataset = await readLeRobotDataset(join(dir, 'push'));
      expect([dataset.episodes[0].instruction, dataset.info.total_frames]).toEqual(['push the block', 2]);
      const chunks = chunkEpisode(dataset.episodes[0].actions, 2, 2, { horizon: 2, pad: 'repeat-last' });
      expect(chunks).toHaveLength(2);
      expect(Array.from(chunks[1])).toEqual(Array.from(Float32Array.of(0.2, 1, 0.2, 1)));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('@roboalign/serve README', () => {
  it('serves the random policy and acts through the remote client as stated', async () => {
    const { adaptPolicy, randomPolicy, remotePolicy, servePolicy } = await import('@roboalign/serve');
    const server = await servePolicy(adaptPolicy(randomPolicy(0)), { port: 0 });
    try {
      const remote = await remotePolicy(server.url);
      const image = { width: 8, height: 8, data: new Uint8Array(8 * 8 * 3) };
      const chunk = await remote.act({
        image,
        wristImage: image,
        state: new Float64Array(8),
        instruction: 'wave',
      });
      expect([chunk.horizon, chunk.actions.length]).toEqual([10, 70]);
      await remote.close?.();
    } finally {
      await server.close();
    }
  });
});

describe('@roboalign/vlm README', () => {
  it('runs the example as written, against the built package', async () => {
    const readme = await readFile(join(import.meta.dirname, '../packages/vlm/README.md'), 'utf8');
    const code = readme.match(/```ts\n([\s\S]*?)```/)?.[1];
    expect(code).toBeDefined();
    // Written beside this file so that `@roboalign/vlm` resolves to the workspace package.
    const file = join(import.meta.dirname, '.vlm-readme-example.mts');
    await writeFile(file, code!);
    try {
      const tsx = join(import.meta.dirname, '../node_modules/tsx/dist/cli.mjs');
      const out = execFileSync(process.execPath, [tsx, file], { encoding: 'utf8', timeout: 240_000 });
      const lines = out.trim().split('\n');
      expect(lines[0]).toMatch(/^VLM 0\.\d+M parameters/);
      // Twenty steps of vision pretraining find the one red patch among 64.
      expect(lines[1]).toBe('patch accuracy 1');
      const [, first, last] = lines[2].match(/^loss ([\d.]+) → ([\d.]+)$/)!;
      expect(Number(last)).toBeLessThan(Number(first) / 4);
      expect(lines.at(-2)).toBe('true');
      expect(lines.at(-1)).toMatch(/^\[ 1, \d+, 64 \] 1$/);
    } finally {
      await rm(file, { force: true });
    }
  }, 300_000);
});

describe('@roboalign/bench README: paired comparisons', () => {
  it('gives the stated values', async () => {
    const { mcnemarPower, pairedBootstrapDifference, pairedSuccessDifference } = await import(
      '@roboalign/bench'
    );
    const paired = pairedSuccessDifference([true, true, false, true], [true, false, false, false]);
    expect(paired).toMatchObject({ difference: 0.5, n: 4 });
    // Two discordant pairs, both A's: 2·P(X ≤ 0), X ~ Bin(2, ½) = 0.5.
    expect(paired.pValue).toBe(0.5);
    expect(pairedBootstrapDifference([3, 2, 4], [1, 2, 2], { seed: 0 }).difference).toBeCloseTo(4 / 3, 12);
    expect(mcnemarPower({ pairs: 200, discordantRate: 0.2, difference: 0.1 })).toBeCloseTo(0.875, 3);
  });
});
