// Benchmarks of @roboalign/vlm at the `tiny` preset (not tests). One JSON line per figure:
//   pnpm --filter @roboalign/vlm bench
// vlm-sft-step: batch 16, two 64×64 images, 48 text tokens; vlm-generate: 8 prompts × n 5, 64 new tokens,
// against recomputing the full sequence per token; vlm-features: batch 32 against batch 1; vlm-grpo-step: 8 × 5, 64 tokens.
import { GRPO_PRESETS, GrpoTrainer } from '@roboalign/grpo';
import { bucket, prefixFeeds } from '../src/data/batch.js';
import { answerRows, encodePrompts, VlmPolicy } from '../src/index.js';
import { example, model, prompt, tokenizer } from './fixture.js';

// Names on the command line run only those benchmarks (e.g. `tsx bench/vlm.bench.ts vlm-sft-step`).
const only = process.argv.slice(2);
const wanted = (name: string) => only.length === 0 || only.includes(name);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const common = { params: model.parameterCount, vocab: model.config.vocabSize };

// --- SFT step: forward + backward + AdamW at batch 16 ---
if (wanted('vlm-sft-step')) {
  const batch = await Promise.all(Array.from({ length: 16 }, () => example(48)));
  const rows = answerRows(batch);
  const { AdamW } = await import('@roboalign/onnx-train');
  const adam = new AdamW({ lr: 1e-4 });
  const times: number[] = [];
  // Three warm-up steps: the first runs allocate (and fault in) the session's memory.
  for (let i = 0; i < 11; i++) {
    const t0 = performance.now();
    const { grads } = await model.score(rows, { gradients: true });
    adam.step(model.params, grads);
    if (i >= 3) times.push(performance.now() - t0);
  }
  const tokens = Math.max(...batch.map((b) => b.ids.length));
  console.log(
    JSON.stringify({
      name: 'vlm-sft-step',
      msPerStep: +median(times).toFixed(1),
      batch: 16,
      tokens,
      peakRssMB: Math.round(process.resourceUsage().maxRSS / 1024),
      ...common,
    }),
  );
}

// --- Generation: KV cache against recomputing the full sequence per token ---
if (wanted('vlm-generate')) {
  const prompts = await encodePrompts(
    model,
    Array.from({ length: 8 }, () => prompt(10)),
  );
  // An untrained model may end early; a high-temperature sample from a fixed seed runs the whole 64 steps.
  await model.generate(prompts, { n: 5, maxNewTokens: 64, seed: 0 }); // compile
  const t0 = performance.now();
  const out = await model.generate(prompts, { n: 5, maxNewTokens: 64, seed: 1 });
  const seconds = (performance.now() - t0) / 1000;
  const generated = out.flat().reduce((n, g) => n + g.ids.length, 0);
  // Recompute: a full forward of prompt + generated tokens for every new token (40 rows).
  const rows = prompts.flatMap((p) => Array.from({ length: 5 }, () => p));
  const longest = Math.max(...prompts.map((p) => p.ids.length));
  const steps = Math.round(generated / rows.length);
  const lengths = Array.from({ length: steps }, (_, k) => bucket(longest + k + 1, 16));
  for (const length of new Set(lengths)) {
    const { feeds } = prefixFeeds(model.config, rows, length, {
      imageTokenId: model.config.imageTokenId,
      padId: tokenizer.ids.pad,
      align: 'left',
    });
    await model.prefill(feeds, rows.length, length); // compile each length once
  }
  const t1 = performance.now();
  for (const length of lengths) {
    const { feeds } = prefixFeeds(model.config, rows, length, {
      imageTokenId: model.config.imageTokenId,
      padId: tokenizer.ids.pad,
      align: 'left',
    });
    await model.prefill(feeds, rows.length, length);
  }
  const recompute = (performance.now() - t1) / 1000;
  console.log(
    JSON.stringify({
      name: 'vlm-generate',
      tokensPerSecond: +(generated / seconds).toFixed(1),
      speedupVsRecompute: +(recompute / seconds).toFixed(2),
      prompts: 8,
      n: 5,
      newTokens: steps,
      tokens: longest,
      ...common,
    }),
  );
}

// --- Features: middle-layer hidden states at batch 32, and one frame per run as a control loop asks ---
if (wanted('vlm-features')) {
  const prompts = await encodePrompts(
    model,
    Array.from({ length: 32 }, () => prompt(10)),
  );
  const framesPerSecond = async (batchSize: number): Promise<number> => {
    const pass = async () => {
      for (let start = 0; start < prompts.length; start += batchSize)
        await model.features(prompts.slice(start, start + batchSize), { batchSize });
    };
    await pass(); // warm-up: the first run of a batch shape builds its graph
    const times: number[] = [];
    for (let i = 0; i < 3; i++) {
      const t0 = performance.now();
      await pass();
      times.push(performance.now() - t0);
    }
    return prompts.length / (median(times) / 1000);
  };
  const batched = await framesPerSecond(32);
  const single = await framesPerSecond(1);
  const tokens = Math.max(...prompts.map((p) => p.ids.length));
  console.log(
    JSON.stringify({
      name: 'vlm-features',
      framesPerSecond: +batched.toFixed(1),
      batch: 32,
      singleFramePerSecond: +single.toFixed(1),
      batchedOverSingle: +(batched / single).toFixed(2),
      tokens,
      ...common,
    }),
  );
}

// --- GRPO step: 8 prompts × 5 samples, 64 new tokens, roboalign preset with the k3 KL ---
if (wanted('vlm-grpo-step')) {
  const preset = GRPO_PRESETS.roboalign;
  const policy = new VlmPolicy(model, { maxNewTokens: 64 });
  const trainer = new GrpoTrainer({
    policy,
    referencePolicy: policy.reference(),
    groupSize: preset.groupSize,
    loss: {
      lossType: preset.lossType,
      epsLow: preset.epsLow,
      epsHigh: preset.epsHigh,
      clipRatioC: preset.clipRatioC,
      beta: preset.beta,
    },
    learningRate: preset.learningRate,
    rewards: [{ name: 'length', fn: ({ completionIds }) => completionIds.map((ids) => ids.length / 64) }],
  });
  const prompts = await encodePrompts(
    model,
    Array.from({ length: 8 }, () => prompt(10)),
  );
  await trainer.step({ prompts }); // compile
  const times: number[] = [];
  for (let i = 0; i < 2; i++) {
    const t0 = performance.now();
    await trainer.step({ prompts });
    times.push(performance.now() - t0);
  }
  const tokens = Math.max(...prompts.map((p) => p.ids.length));
  console.log(
    JSON.stringify({
      name: 'vlm-grpo-step',
      secondsPerStep: +(median(times) / 1000).toFixed(2),
      prompts: 8,
      n: 5,
      newTokens: 64,
      tokens,
      ...common,
    }),
  );
}
await model.release();
