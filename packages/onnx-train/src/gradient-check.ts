import type { Graph, Value } from './graph.js';
import { toOnnx } from './onnx-export.js';
import { createSession, type Feed, type SessionOptions } from './runtime.js';
import { compileTraining, initialValues } from './training.js';

/** Options of {@link checkGradients}. */
export interface GradientCheckOptions {
  /** Graph inputs. */
  feeds?: Readonly<Record<string, Feed>>;
  /** Central-difference step; default 1e-6 (float64 graphs; use about 1e-2 for float32). */
  h?: number;
  /** Check at most this many evenly spaced entries of each parameter; default all. */
  maxEntriesPerParameter?: number;
  /** Default `{ graphOptimizationLevel: 'basic' }`: some ONNX Runtime fusions have no float64 kernels. */
  session?: SessionOptions;
}

/** The outcome of a gradient check. */
export interface GradientCheckResult {
  /** Largest `|analytic - numeric| / max(1e-3, |numeric|)` over the checked entries. */
  maxRelativeError: number;
  /** Number of parameter entries checked. */
  checked: number;
  /** Where the largest error is. */
  worst: { parameter: string; index: number; analytic: number; numeric: number } | null;
}

/**
 * Compares the analytic gradients of a scalar `loss` with respect to every parameter (the backward graph
 * this package emits, run by ONNX Runtime) with central finite differences of the forward graph.
 */
export async function checkGradients(
  graph: Graph,
  loss: Value,
  options: GradientCheckOptions = {},
): Promise<GradientCheckResult> {
  const feeds = options.feeds ?? {};
  const h = options.h ?? 1e-6;
  const session = options.session ?? { graphOptimizationLevel: 'basic' };
  const program = await compileTraining(graph, loss, { session });
  const params = initialValues(graph);
  const { grads } = await program.step(feeds, params);
  const forward = await createSession(toOnnx(graph, { outputs: [loss], parameters: 'inputs' }), session);
  const lossAt = async () => {
    const all: Record<string, Feed> = { ...feeds };
    for (const [name, data] of params) {
      const { shape, dtype } = graph.parameters.get(name)!.value;
      all[name] = { data, shape, dtype };
    }
    return Number((await forward.run(all, [loss.name]))[loss.name][0]);
  };
  let result: GradientCheckResult = { maxRelativeError: 0, checked: 0, worst: null };
  for (const [name, value] of params) {
    const stride = options.maxEntriesPerParameter
      ? Math.max(1, Math.floor(value.length / options.maxEntriesPerParameter))
      : 1;
    for (let i = 0; i < value.length; i += stride) {
      const keep = value[i];
      value[i] = keep + h;
      const up = await lossAt();
      value[i] = keep - h;
      const down = await lossAt();
      value[i] = keep;
      const numeric = (up - down) / (2 * h);
      const analytic = Number(grads.get(name)![i]);
      const error = Math.abs(analytic - numeric) / Math.max(1e-3, Math.abs(numeric));
      result.checked++;
      if (error > result.maxRelativeError) {
        result = {
          ...result,
          maxRelativeError: error,
          worst: { parameter: name, index: i, analytic, numeric },
        };
      }
    }
  }
  await forward.release();
  await program.session.release();
  return result;
}
