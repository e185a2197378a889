/**
 * Time per ONNX operator type of one training step (forward + backward, as compileTraining exports it),
 * from ONNX Runtime's own profiler. Not a benchmark of record: it explains where the step's time goes.
 *
 *   tsx bench/profile.ts [block|decoder] [steps]
 */
import { readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ort from 'onnxruntime-node';
import { gradients } from '../src/autodiff.js';
import { toOnnx } from '../src/onnx-export.js';
import { initialValues } from '../src/training.js';
import { blockModel, decoderModel } from './models.js';

interface ProfileEvent {
  cat: string;
  name: string;
  dur: number;
  args?: { op_name?: string };
}

const which = process.argv[2] ?? 'decoder';
const steps = Number(process.argv[3] ?? 10);
const { graph, loss, feeds } = which === 'block' ? blockModel() : decoderModel();
const parameters = graph.trainable();
const grads = gradients(loss, parameters);
const model = toOnnx(graph, { outputs: [loss, ...grads], parameters: 'inputs' });
const session = await ort.InferenceSession.create(model, {
  intraOpNumThreads: 2,
  // Busy-waiting threads would count other processes' time on a shared machine.
  extra: { session: { intra_op: { allow_spinning: '0' } } },
  enableProfiling: true,
  profileFilePrefix: join(tmpdir(), `onnx-train-profile-${which}`),
});
const values = initialValues(graph);
const ortFeeds: Record<string, ort.Tensor> = {};
for (const [name, f] of Object.entries(feeds)) ortFeeds[name] = new ort.Tensor(f.dtype, f.data, [...f.shape]);
for (const p of parameters) ortFeeds[p.name] = new ort.Tensor(p.dtype, values.get(p.name)!, [...p.shape]);
for (let i = 0; i < steps; i++) await session.run(ortFeeds);
session.endProfiling(); // writes <prefix>_<date>.json and returns nothing
const prefix = `onnx-train-profile-${which}_`;
const written = (await readdir(tmpdir())).filter((f) => f.startsWith(prefix)).sort();
const file = join(tmpdir(), written[written.length - 1]);
const events = JSON.parse(await readFile(file, 'utf8')) as ProfileEvent[];
if (!process.env.KEEP_PROFILE) await rm(file, { force: true });

const byOp = new Map<string, { us: number; count: number }>();
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
  total += e.dur;
}
// The first run includes allocation and planning; the per-step figures average over all runs.
console.log(
  `${which}: ${steps} runs, model_run ${(runUs / steps / 1000).toFixed(1)} ms/run, kernels ${(total / steps / 1000).toFixed(1)} ms/run`,
);
console.log('| op | ms/step | share | nodes |');
console.log('|---|---:|---:|---:|');
for (const [name, { us, count }] of [...byOp].sort((a, b) => b[1].us - a[1].us)) {
  if (us / total < 0.005) continue;
  console.log(
    `| ${name} | ${(us / steps / 1000).toFixed(2)} | ${((100 * us) / total).toFixed(1)}% | ${count / steps} |`,
  );
}
await session.release();
