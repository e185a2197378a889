/**
 * Time per ONNX operator type, and the slowest nodes, of the `vlm-sft-step` score graph with gradients, from
 * ONNX Runtime's own profiler. Not a benchmark of record: it shows where the step's time goes.
 *
 *   tsx bench/profile.ts [steps]            (ONNX Runtime's memory arena off, as forward graphs run)
 *   ARENA=1 tsx bench/profile.ts [steps]    (arena on, as gradient graphs run in the Vlm)
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gradients, profileTable, readProfile, summarizeProfile, toOnnx } from '@roboalign/onnx-train';
import ort from 'onnxruntime-node';
import { answerRows } from '../src/index.js';
import { buildTokenScoreGraph } from '../src/model/graphs.js';
import { example, model } from './fixture.js';

const steps = Number(process.argv[2] ?? 6);
const batch = await Promise.all(Array.from({ length: 16 }, () => example(48)));
const feeds = model.scoreFeeds(answerRows(batch));
const [rows, length] = feeds.input_ids.shape;
const [targets] = feeds.target_index.shape;
const { graph, loss, tokenLogprobs } = buildTokenScoreGraph(model.config, model.params, {
  batch: rows,
  length,
  targets,
});
const parameters = graph.trainable();
const grads = gradients(loss, parameters);
const prefix = join(tmpdir(), 'vlm-profile');
const session = await ort.InferenceSession.create(
  toOnnx(graph, { outputs: [loss, tokenLogprobs, ...grads], parameters: 'inputs' }),
  {
    intraOpNumThreads: 2,
    enableCpuMemArena: process.env.ARENA === '1',
    extra: { session: { intra_op: { allow_spinning: '0' } } },
    enableProfiling: true,
    profileFilePrefix: prefix,
  },
);
const ortFeeds: Record<string, ort.Tensor> = {};
for (const [name, f] of Object.entries(feeds)) ortFeeds[name] = new ort.Tensor(f.dtype, f.data, [...f.shape]);
for (const p of parameters)
  ortFeeds[p.name] = new ort.Tensor('float32', model.params.get(p.name)!, [...p.shape]);
for (let i = 0; i < steps; i++) await session.run(ortFeeds);
const summary = summarizeProfile(
  await readProfile(session, prefix, Boolean(process.env.KEEP_PROFILE)),
  steps,
);
console.log(
  `vlm score+grad [${rows}×${length}, ${targets} targets]: ${steps} runs, model_run ${summary.runMs.toFixed(1)} ms/run, kernels ${summary.kernelMs.toFixed(1)} ms/run`,
);
console.log(profileTable(summary));
console.log('\nslowest nodes (ms/step):');
for (const { node, ms } of summary.nodes.slice(0, 25)) console.log(`${ms.toFixed(2)}  ${node}`);
await session.release();
await model.release();
