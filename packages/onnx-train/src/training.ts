import { gradients } from './autodiff.js';
import { GraphError } from './errors.js';
import type { Graph, Value } from './graph.js';
import { toOnnx } from './onnx-export.js';
import { createSession, type Feed, type Session, type SessionOptions } from './runtime.js';
import { fmt, sizeOf } from './shape.js';

/** A compiled forward + backward program over a graph. */
export interface TrainingProgram {
  readonly session: Session;
  /** The parameters that receive gradients. */
  readonly parameters: readonly Value[];
  /** Runs forward and backward: the loss and ∂loss/∂parameter for each trained parameter. */
  step(
    feeds: Readonly<Record<string, Feed>>,
    values: ReadonlyMap<string, Float32Array | Float64Array>,
  ): Promise<{ loss: number; grads: Map<string, Float32Array | Float64Array> }>;
}

/** Options of {@link compileTraining}. */
export interface CompileOptions {
  /** Parameter names kept frozen (no gradient computed), e.g. a backbone. */
  frozen?: ReadonlySet<string>;
  /**
   * ONNX Runtime settings. Unless set here, `spinning` is off: between steps the optimizer runs on the
   * JavaScript thread, and ONNX Runtime threads still busy-waiting after a run would take its core.
   */
  session?: SessionOptions;
}

/**
 * Differentiates `loss` with respect to the graph's parameters (less the frozen ones), exports forward and
 * backward as one ONNX model whose inputs are the graph inputs and every parameter, and loads it.
 */
export async function compileTraining(
  graph: Graph,
  loss: Value,
  options: CompileOptions = {},
): Promise<TrainingProgram> {
  if (sizeOf(loss.shape) !== 1)
    throw new GraphError(`compileTraining: the loss must be a scalar, got ${fmt(loss.shape)}`);
  const parameters = graph.trainable().filter((p) => !options.frozen?.has(p.name));
  const grads = gradients(loss, parameters);
  const model = toOnnx(graph, { outputs: [loss, ...grads], parameters: 'inputs' });
  const session = await createSession(model, { spinning: false, ...options.session });
  // Parameters the loss does not read are not inputs of the exported model.
  const used = [...graph.parameters.values()].map((p) => p.value).filter((p) => dependsOn(graph, loss, p));
  return {
    session,
    parameters,
    async step(feeds, values) {
      const all: Record<string, Feed> = { ...feeds };
      for (const p of used) {
        const v = values.get(p.name);
        if (v === undefined) throw new GraphError(`step: no value for parameter ${p.name}`);
        all[p.name] = { data: v, shape: p.shape, dtype: p.dtype };
      }
      const out = await session.run(all, [loss.name, ...grads.map((g) => g.name)]);
      const result = new Map<string, Float32Array | Float64Array>();
      parameters.forEach((p, i) => {
        result.set(p.name, out[grads[i].name] as Float32Array | Float64Array);
      });
      return { loss: Number((out[loss.name] as Float32Array | Float64Array)[0]), grads: result };
    },
  };
}

/** The initial values of every parameter of a graph, copied (the caller's training state). */
export function initialValues(graph: Graph): Map<string, Float32Array | Float64Array> {
  return new Map([...graph.parameters].map(([name, p]) => [name, p.init.slice()]));
}

/** Whether `output` depends on `value`. */
function dependsOn(graph: Graph, output: Value, value: Value): boolean {
  const reached = new Set([value.name]);
  for (const node of graph.nodes) {
    if (node.inputs.some((v) => reached.has(v.name))) for (const o of node.outputs) reached.add(o.name);
    if (reached.has(output.name)) return true;
  }
  return reached.has(output.name);
}
