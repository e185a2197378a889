/**
 * Training-step benchmarks with fixed output lines, so figures compare over time:
 *   {"name": "block-train-step", "msPerStep": …}     one pre-norm transformer block, batch 8 × seq 64 × width 256,
 *                                                    4 heads, GELU MLP 4×, loss = mean of squared outputs
 *   {"name": "decoder4-train-step", "msPerStep": …}  token + learned position embeddings, 4 blocks, final LayerNorm,
 *                                                    untied 512-token head, next-token cross-entropy on 8 × 64
 *   {"name": "decoder4-forward", "msPerRun": …}      the same decoder, inference only (logits), weights embedded
 *   {"name": "vlm-shaped-train-step", "msPerStep": …} the tiny VLM's step: 2-layer ViT on two 64×64 cameras,
 *                                                    176 tokens under a prefix-LM bias, 4 RMSNorm/rotary/SwiGLU
 *                                                    layers of width 128, 3,200-token head on 16 answers, batch 16
 * A training step is forward + backward (ONNX Runtime, 2 intra-op threads, no spinning) + AdamW. Times are
 * medians of per-step wall times after 3 warm-up steps, and of the CPU time (all threads) they took, which
 * other jobs on a shared machine disturb less; peakRssMb is the process's peak resident set so far (run one
 * benchmark alone, by name, for its own peak).
 *
 *   pnpm --filter @roboalign/onnx-train bench [name ...]
 */
import { cpus } from 'node:os';
import { toOnnx } from '../src/onnx-export.js';
import { AdamW } from '../src/optim.js';
import { createSession, type SessionOptions } from '../src/runtime.js';
import { compileTraining, initialValues } from '../src/training.js';
import { B, type BenchModel, blockModel, decoderModel, T, vlmShapedModel } from './models.js';

const session: SessionOptions = { intraOpThreads: 2, spinning: false };

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const round2 = (x: number) => Number(x.toFixed(2));
const peakRssMb = () => Math.round(process.resourceUsage().maxRSS / 1024);

async function timeTraining(name: string, { graph, loss, feeds }: BenchModel, steps: number) {
  const compileStart = performance.now();
  const program = await compileTraining(graph, loss, { session });
  const compileMs = performance.now() - compileStart;
  const params = initialValues(graph);
  const opt = new AdamW({ lr: 1e-4 });
  for (let i = 0; i < 3; i++) opt.step(params, (await program.step(feeds, params)).grads);
  const stepMs: number[] = [];
  const cpuMs: number[] = [];
  const optimizerMs: number[] = [];
  const losses: number[] = [];
  for (let i = 0; i < steps; i++) {
    const cpu = process.cpuUsage();
    const start = performance.now();
    const { loss: l, grads } = await program.step(feeds, params);
    const t = performance.now();
    opt.step(params, grads);
    const end = performance.now();
    const used = process.cpuUsage(cpu);
    stepMs.push(end - start);
    cpuMs.push((used.user + used.system) / 1000);
    optimizerMs.push(end - t);
    losses.push(l);
  }
  const parameters = [...params.values()].reduce((n, p) => n + p.length, 0);
  console.log(
    JSON.stringify({
      name,
      msPerStep: round2(median(stepMs)),
      msMean: round2(stepMs.reduce((a, b) => a + b, 0) / steps),
      cpuMsPerStep: round2(median(cpuMs)),
      msOptimizer: round2(median(optimizerMs)),
      peakRssMb: peakRssMb(),
      parameters,
      compileMs: Math.round(compileMs),
      firstLoss: losses[0],
      lastLoss: losses[losses.length - 1],
    }),
  );
  await program.session.release();
}

async function timeForward(name: string, { graph, logits, feeds }: BenchModel, runs: number) {
  if (logits === undefined) throw new Error(`${name}: the model has no logits`);
  const model = toOnnx(graph, { outputs: [logits], parameters: 'initializers' });
  const inference = await createSession(model, session);
  const inputs = { ids: feeds.ids };
  for (let i = 0; i < 3; i++) await inference.run(inputs, [logits.name]);
  const runMs: number[] = [];
  const cpuMs: number[] = [];
  for (let i = 0; i < runs; i++) {
    const cpu = process.cpuUsage();
    const start = performance.now();
    await inference.run(inputs, [logits.name]);
    runMs.push(performance.now() - start);
    const used = process.cpuUsage(cpu);
    cpuMs.push((used.user + used.system) / 1000);
  }
  const ms = median(runMs);
  console.log(
    JSON.stringify({
      name,
      msPerRun: round2(ms),
      cpuMsPerRun: round2(median(cpuMs)),
      tokensPerSecond: Math.round((B * T * 1000) / ms),
      peakRssMb: peakRssMb(),
    }),
  );
  await inference.release();
}

const benchmarks: Record<string, () => Promise<void>> = {
  'block-train-step': () => timeTraining('block-train-step', blockModel(), 20),
  'decoder4-train-step': () => timeTraining('decoder4-train-step', decoderModel(), 10),
  'decoder4-forward': () => timeForward('decoder4-forward', decoderModel(), 20),
  'vlm-shaped-train-step': () => timeTraining('vlm-shaped-train-step', vlmShapedModel(), 8),
};

const selected = process.argv.slice(2);
for (const name of selected) {
  if (!(name in benchmarks)) throw new Error(`unknown benchmark ${name}; known: ${Object.keys(benchmarks)}`);
}
console.error(
  `Machine: ${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} cores; Node ${process.version}; ONNX Runtime CPU, 2 intra-op threads`,
);
for (const [name, run] of Object.entries(benchmarks)) {
  if (selected.length === 0 || selected.includes(name)) await run();
}
