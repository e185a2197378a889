/**
 * Time per ONNX operator type, and the slowest nodes, of the `vlm-sft-step` score graph with gradients, from
 * ONNX Runtime's own profiler. Not a benchmark of record: it shows where the step's time goes.
 *
 *   tsx bench/profile.ts [steps]            (ONNX Runtime's memory arena off, as forward graphs run)
 *   ARENA=1 tsx bench/profile.ts [steps]    (arena on, as gradient graphs run in the Vlm)
 */
import { readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gradients, toOnnx } from '@roboalign/onnx-train';
import ort from 'onnxruntime-node';
import { answerRows } from '../src/index.js';
import { buildTokenScoreGraph } from '../src/model/graphs.js';
import { example, model } from './fixture.js';

interface ProfileEvent {
  cat: string;
  name: string;
  dur: number;
  args?: { op_name?: string };
}

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
session.endProfiling();
const written = (await readdir(tmpdir())).filter((f) => f.startsWith('vlm-profile_')).sort();
const file = join(tmpdir(), written[written.length - 1]);
const events = JSON.parse(await readFile(file, 'utf8')) as ProfileEvent[];
if (!process.env.KEEP_PROFILE) await rm(file, { force: true });

const byOp = new Map<string, { us: number; count: number }>();
const byNode = new Map<string, number>();
let total = 0;
let runUs = 0;
for (const e of events) {
  if (e.cat === 'Session' && e.name === 'model_run') runUs += e.dur;
  if (e.cat !== 'Node' || !e.name.endsWith('_kernel_time')) continue;
  const name = e.args?.op_name ?? 'unknown';
  const entry = byOp.get(name) ?? { us: 0, count: 0 };
  entry.us += e.dur;
  entry.count++;
  byOp.set(name, entry);
  byNode.set(e.name, (byNode.get(e.name) ?? 0) + e.dur);
  total += e.dur;
}
console.log(
  `vlm score+grad [${rows}×${length}, ${targets} targets]: ${steps} runs, model_run ${(runUs / steps / 1000).toFixed(1)} ms/run, kernels ${(total / steps / 1000).toFixed(1)} ms/run`,
);
console.log('| op | ms/step | share | nodes |');
console.log('|---|---:|---:|---:|');
for (const [name, { us, count }] of [...byOp].sort((a, b) => b[1].us - a[1].us)) {
  if (us / total < 0.005) continue;
  console.log(
    `| ${name} | ${(us / steps / 1000).toFixed(2)} | ${((100 * us) / total).toFixed(1)}% | ${count / steps} |`,
  );
}
console.log('\nslowest nodes (ms/step):');
for (const [name, us] of [...byNode].sort((a, b) => b[1] - a[1]).slice(0, 25))
  console.log(`${(us / steps / 1000).toFixed(2)}  ${name.replace(/_kernel_time$/, '')}`);
await session.release();
await model.release();
