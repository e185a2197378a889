import onnxProto from 'onnx-proto';
import { type DType, ONNX_ELEM_TYPE, type TensorData } from './dtype.js';
import { GraphError } from './errors.js';
import type { AttributeValue, Constant, Graph, Value } from './graph.js';

const { onnx } = onnxProto;

/** Opset of every exported model: ReduceSum/ReduceMean take axes as inputs, ScatterND reduces with 'add'. */
export const OPSET = 18;

/** ONNX Runtime's operator domain; a model using it runs in ONNX Runtime (any build), not every ONNX runtime. */
export const MICROSOFT_DOMAIN = 'com.microsoft';

/** Options of {@link toOnnx}. */
export interface ExportOptions {
  /** Graph outputs, in order. */
  outputs: readonly Value[];
  /**
   * `'inputs'`: parameters are graph inputs, fed every run (training: values stay in TypeScript arrays).
   * `'initializers'`: parameters are embedded with `values` (inference export, runs in any ONNX Runtime).
   */
  parameters: 'inputs' | 'initializers';
  /** Parameter values by name for `'initializers'`; defaults to each parameter's initial values. */
  values?: ReadonlyMap<string, Float32Array | Float64Array>;
  /** Graph name; default `main`. */
  name?: string;
}

function valueInfo(v: Value) {
  return onnx.ValueInfoProto.create({
    name: v.name,
    type: {
      tensorType: {
        elemType: ONNX_ELEM_TYPE[v.dtype],
        shape: { dim: v.shape.map((d) => ({ dimValue: d })) },
      },
    },
  });
}

/** Collects large tensors into one external-data file instead of the model. */
interface ExternalSink {
  location: string;
  threshold: number;
  chunks: Uint8Array[];
  length: number;
}

function tensor(name: string, dtype: DType, shape: readonly number[], data: TensorData, sink?: ExternalSink) {
  // Little-endian raw bytes, as ONNX stores raw_data.
  const raw = new Uint8Array(data.buffer, data.byteOffset, data.byteLength).slice();
  if (sink !== undefined && raw.length >= sink.threshold) {
    const offset = sink.length;
    sink.chunks.push(raw);
    sink.length += raw.length;
    return onnx.TensorProto.create({
      name,
      dataType: ONNX_ELEM_TYPE[dtype],
      dims: [...shape],
      dataLocation: onnx.TensorProto.DataLocation.EXTERNAL,
      externalData: [
        { key: 'location', value: sink.location },
        { key: 'offset', value: String(offset) },
        { key: 'length', value: String(raw.length) },
      ],
    });
  }
  return onnx.TensorProto.create({ name, dataType: ONNX_ELEM_TYPE[dtype], dims: [...shape], rawData: raw });
}

function attribute(name: string, value: AttributeValue) {
  const A = onnx.AttributeProto.AttributeType;
  if (typeof value === 'number') {
    return Number.isInteger(value)
      ? onnx.AttributeProto.create({ name, type: A.INT, i: value })
      : onnx.AttributeProto.create({ name, type: A.FLOAT, f: value });
  }
  if (typeof value === 'string') {
    return onnx.AttributeProto.create({ name, type: A.STRING, s: new TextEncoder().encode(value) });
  }
  if (Array.isArray(value)) return onnx.AttributeProto.create({ name, type: A.INTS, ints: value });
  if ('float' in value) return onnx.AttributeProto.create({ name, type: A.FLOAT, f: value.float });
  const c: Constant = value.tensor;
  return onnx.AttributeProto.create({ name, type: A.TENSOR, t: tensor('', c.dtype, c.shape, c.data) });
}

/** The nodes the outputs depend on, in graph order, and every value name they read. */
function prune(graph: Graph, outputs: readonly Value[]) {
  const needed = new Set(outputs.map((o) => o.name));
  const kept: boolean[] = new Array(graph.nodes.length).fill(false);
  for (let i = graph.nodes.length - 1; i >= 0; i--) {
    const node = graph.nodes[i];
    if (!node.outputs.some((o) => needed.has(o.name))) continue;
    kept[i] = true;
    for (const v of node.inputs) needed.add(v.name);
  }
  return { nodes: graph.nodes.filter((_, i) => kept[i]), needed };
}

/**
 * Serializes the part of a graph that the requested outputs depend on to an ONNX model (bytes), with
 * parameters as inputs (training) or embedded (inference).
 */
export function toOnnx(graph: Graph, options: ExportOptions): Uint8Array {
  return buildModel(graph, options);
}

/**
 * Like {@link toOnnx}, but tensors of `threshold` bytes or more (default 1 KiB) go to a separate
 * external-data blob, referenced from the model by `location` (a file name beside the model), as
 * models over 2 GB must be stored.
 */
export function toOnnxWithExternalData(
  graph: Graph,
  options: ExportOptions & { location: string; threshold?: number },
): { model: Uint8Array; data: Uint8Array } {
  const sink: ExternalSink = {
    location: options.location,
    threshold: options.threshold ?? 1024,
    chunks: [],
    length: 0,
  };
  const model = buildModel(graph, options, sink);
  const data = new Uint8Array(sink.length);
  let at = 0;
  for (const c of sink.chunks) {
    data.set(c, at);
    at += c.length;
  }
  return { model, data };
}

function buildModel(graph: Graph, options: ExportOptions, sink?: ExternalSink): Uint8Array {
  const { nodes, needed } = prune(graph, options.outputs);
  const params = [...graph.parameters.values()].filter((p) => needed.has(p.value.name));
  const initializers = [...graph.constants]
    .filter(([name]) => needed.has(name))
    .map(([name, c]) => tensor(name, c.dtype, c.shape, c.data));
  const inputs = graph.inputs.filter((v) => needed.has(v.name));
  if (options.parameters === 'inputs') inputs.push(...params.map((p) => p.value));
  else {
    for (const p of params) {
      const data = options.values?.get(p.value.name) ?? p.init;
      if (data.length !== p.init.length) {
        throw new GraphError(
          `toOnnx: value of ${p.value.name} has ${data.length} entries, expected ${p.init.length}`,
        );
      }
      initializers.push(tensor(p.value.name, p.value.dtype, p.value.shape, data, sink));
    }
  }
  const model = onnx.ModelProto.create({
    irVersion: 8,
    producerName: '@roboalign/onnx-train',
    opsetImport: [
      { domain: '', version: OPSET },
      // ONNX Runtime's own operators (e.g. Gelu), imported only when a node uses them.
      ...(nodes.some((n) => n.domain === MICROSOFT_DOMAIN) ? [{ domain: MICROSOFT_DOMAIN, version: 1 }] : []),
    ],
    graph: onnx.GraphProto.create({
      name: options.name ?? 'main',
      node: nodes.map((n) =>
        onnx.NodeProto.create({
          name: n.outputs[0].name,
          opType: n.onnxType,
          domain: n.domain ?? '',
          input: n.inputs.map((v) => v.name),
          output: n.outputs.map((v) => v.name),
          attribute: Object.entries(n.attributes).map(([k, v]) => attribute(k, v)),
        }),
      ),
      input: inputs.map(valueInfo),
      output: options.outputs.map(valueInfo),
      initializer: initializers,
    }),
  });
  return onnx.ModelProto.encode(model).finish();
}
