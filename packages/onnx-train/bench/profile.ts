/**
 * Time per ONNX operator type of one training step (forward + backward, as compileTraining exports it),
 * from ONNX Runtime's own profiler. Not a benchmark of record: it explains where the step's time goes.
 *
 *   tsx bench/profile.ts [block|decoder] [steps]
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ort from 'onnxruntime-node';
import { gradients } from '../src/autodiff.js';
import { toOnnx } from '../src/onnx-export.js';
import { profileTable, readProfile, summarizeProfile } from '../src/profile.js';
import { initialValues } from '../src/training.js';
import { blockModel, decoderModel } from './models.js';

const which = process.argv[2] ?? 'decoder';
const steps = Number(process.argv[3] ?? 10);
const { graph, loss, feeds } = which === 'block' ? blockModel() : decoderModel();
const parameters = graph.trainable();
const grads = gradients(loss, parameters);
const model = toOnnx(graph, { outputs: [loss, ...grads], parameters: 'inputs' });
const prefix = join(tmpdir(), `onnx-train-profile-${which}`);
const session = await ort.InferenceSession.create(model, {
  intraOpNumThreads: 2,
  // Busy-waiting threads would count other processes' time on a shared machine.
  extra: { session: { intra_op: { allow_spinning: '0' } } },
  enableProfiling: true,
  profileFilePrefix: prefix,
});
const values = initialValues(graph);
const ortFeeds: Record<string, ort.Tensor> = {};
for (const [name, f] of Object.entries(feeds)) ortFeeds[name] = new ort.Tensor(f.dtype, f.data, [...f.shape]);
for (const p of parameters) ortFeeds[p.name] = new ort.Tensor(p.dtype, values.get(p.name)!, [...p.shape]);
for (let i = 0; i < steps; i++) await session.run(ortFeeds);
const summary = summarizeProfile(
  await readProfile(session, prefix, Boolean(process.env.KEEP_PROFILE)),
  steps,
);
// The first run includes allocation and planning; the per-step figures average over all runs.
console.log(
  `${which}: ${steps} runs, model_run ${summary.runMs.toFixed(1)} ms/run, kernels ${summary.kernelMs.toFixed(1)} ms/run`,
);
console.log(profileTable(summary));
await session.release();
