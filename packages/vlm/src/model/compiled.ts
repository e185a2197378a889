import {
  createSession,
  type Feed,
  type Graph,
  gradients,
  type Session,
  type SessionOptions,
  type TensorData,
  toOnnx,
  type Value,
} from '@roboalign/onnx-train';

/** A graph loaded into ONNX Runtime whose parameters are inputs, fed from the model's arrays on every run. */
export interface CompiledGraph {
  readonly session: Session;
  /** Parameter inputs, by name. */
  readonly parameters: ReadonlyMap<string, readonly number[]>;
  /** Output names, with gradients last under `grad:<parameter>` keys of {@link runCompiled}'s result. */
  readonly outputs: readonly string[];
  /** Gradient output name of each differentiated parameter. */
  readonly gradients: ReadonlyMap<string, string>;
}

/**
 * Exports `graph` with `outputs` (plus ∂`loss`/∂p for the parameters `differentiate` selects, when a loss is
 * given) and loads it.
 */
export async function compileGraph(
  graph: Graph,
  outputs: readonly Value[],
  options: { loss?: Value; differentiate?: (name: string) => boolean; session?: SessionOptions } = {},
): Promise<CompiledGraph> {
  const grads = new Map<string, string>();
  let all = [...outputs];
  if (options.loss !== undefined) {
    const wrt = graph.trainable().filter((p) => options.differentiate?.(p.name) ?? true);
    const gradValues = gradients(options.loss, wrt);
    wrt.forEach((p, i) => {
      grads.set(p.name, gradValues[i].name);
    });
    all = [...all, ...gradValues];
  }
  const session = await createSession(toOnnx(graph, { outputs: all, parameters: 'inputs' }), options.session);
  const parameters = new Map([...graph.parameters].map(([name, p]) => [name, p.value.shape]));
  return { session, parameters, outputs: outputs.map((o) => o.name), gradients: grads };
}

/** Runs a compiled graph with `feeds` and the current parameter values. */
export async function runCompiled(
  compiled: CompiledGraph,
  feeds: Readonly<Record<string, Feed>>,
  params: ReadonlyMap<string, Float32Array>,
): Promise<{ outputs: Record<string, TensorData>; grads: Map<string, Float32Array> }> {
  const all: Record<string, Feed> = { ...feeds };
  for (const [name, shape] of compiled.parameters)
    all[name] = { data: params.get(name)!, shape, dtype: 'float32' };
  const out = await compiled.session.run(all, [...compiled.outputs, ...compiled.gradients.values()]);
  const grads = new Map<string, Float32Array>();
  for (const [name, output] of compiled.gradients) grads.set(name, out[output] as Float32Array);
  return { outputs: out, grads };
}
