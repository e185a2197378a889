/**
 * Differentiable ops. Each op infers its output shape at build time (errors name the op and the shapes)
 * and registers its vector-Jacobian product right beside it, so the two can be checked against each other.
 */
import { type DType, isFloat } from './dtype.js';
import { GraphError } from './errors.js';
import type { NodeRecord, Value } from './graph.js';
import { MICROSOFT_DOMAIN } from './onnx-export.js';
import { broadcastShapes, fmt, normalizeAxis, sizeOf } from './shape.js';

/** A VJP rule: given the gradient of a node's output, the gradients of its inputs (null where none flows). */
export type VjpRule = (node: NodeRecord, gradOut: Value) => (Value | null)[];

/** VJP rules by op name. */
export const VJP_RULES = new Map<string, VjpRule>();

function floats(op: string, ...xs: Value[]): DType {
  const dtype = xs[0].dtype;
  for (const x of xs) {
    if (!isFloat(x.dtype)) throw new GraphError(`${op}: ${x.name} is ${x.dtype}, expected a float tensor`);
    if (x.dtype !== dtype) throw new GraphError(`${op}: mixed dtypes ${xs.map((v) => v.dtype).join(', ')}`);
  }
  return dtype;
}

// ---- non-differentiable helpers (shapes, masks) ----

/** Emits an ONNX node that gradients do not flow through. */
function plain(
  x: Value,
  onnxType: string,
  inputs: Value[],
  shape: readonly number[],
  dtype: DType,
  attrs = {},
): Value {
  return x.graph.emit(`plain.${onnxType}`, onnxType, inputs, shape, dtype, attrs);
}

/** `x > y` elementwise (bool). */
export function greater(x: Value, y: Value): Value {
  return plain(x, 'Greater', [x, y], broadcastShapes(x.shape, y.shape, 'greater'), 'bool');
}

/** Converts element type. */
export function cast(x: Value, dtype: DType): Value {
  return plain(x, 'Cast', [x], x.shape, dtype, { to: castCode(dtype) });
}

const castCode = (d: DType) => ({ float32: 1, bool: 9, int64: 7, float64: 11 })[d];

/** Uniform random numbers in [0, 1) shaped like `x` (ONNX RandomUniformLike; new numbers every run). */
export function randomUniformLike(x: Value, seed: number): Value {
  return plain(x, 'RandomUniformLike', [x], x.shape, x.dtype, { seed: { float: seed } });
}

/** A tensor of zeros of the given shape and float type. */
export function zeros(like: Value, shape: readonly number[]): Value {
  const g = like.graph;
  const value = g.constant(
    like.dtype === 'float64' ? new Float64Array(1) : new Float32Array(1),
    [1],
    like.dtype,
  );
  const c = g.constants.get(value.name)!;
  return plain(like, 'ConstantOfShape', [g.int64s(shape)], shape, like.dtype, { value: { tensor: c } });
}

// ---- elementwise binary ----

function binary(op: string, onnxType: string, a: Value, b: Value): Value {
  const dtype = floats(op, a, b);
  return a.graph.emit(op, onnxType, [a, b], broadcastShapes(a.shape, b.shape, op), dtype);
}

/** Sums `g` over the axes that broadcasting added or stretched, back to `shape`. */
export function unbroadcast(g: Value, shape: readonly number[]): Value {
  if (g.shape.length === shape.length && g.shape.every((d, i) => d === shape[i])) return g;
  const lead = g.shape.length - shape.length;
  const axes: number[] = [];
  for (let i = 0; i < g.shape.length; i++) {
    if (i < lead || (shape[i - lead] === 1 && g.shape[i] !== 1)) axes.push(i);
  }
  if (axes.length === 0) return reshape(g, shape);
  return reshape(sumLeadingAxes(g, axes) ?? reduceSum(g, axes, true), shape);
}

/**
 * When `axes` are the leading axes `0 … k-1` of a large enough `g` (bias and scale gradients: a sum over batch
 * and time), their sum as one `[1, rows] @ [rows, rest]` product with a row of ones: ONNX Runtime's matrix
 * product does this several times faster than its ReduceSum over leading axes. Otherwise null.
 */
function sumLeadingAxes(g: Value, axes: readonly number[]): Value | null {
  if (!axes.every((a, i) => a === i)) return null;
  const rows = sizeOf(g.shape.slice(0, axes.length));
  const rest = sizeOf(g.shape.slice(axes.length));
  if (rows < 16 || rows * rest < 4096) return null;
  const ones = g.graph.constant(
    g.dtype === 'float64' ? new Float64Array(rows).fill(1) : new Float32Array(rows).fill(1),
    [1, rows],
    g.dtype,
  );
  return matMul(ones, reshape(g, [rows, rest]));
}

/** `a + b` with broadcasting. */
export const add = (a: Value, b: Value): Value => binary('add', 'Add', a, b);
VJP_RULES.set('add', ({ inputs: [a, b] }, gy) => [unbroadcast(gy, a.shape), unbroadcast(gy, b.shape)]);

/** `a - b` with broadcasting. */
export const sub = (a: Value, b: Value): Value => binary('sub', 'Sub', a, b);
VJP_RULES.set('sub', ({ inputs: [a, b] }, gy) => [unbroadcast(gy, a.shape), unbroadcast(neg(gy), b.shape)]);

/** `a * b` with broadcasting. */
export const mul = (a: Value, b: Value): Value => binary('mul', 'Mul', a, b);
VJP_RULES.set('mul', ({ inputs: [a, b] }, gy) => [
  unbroadcast(mul(gy, b), a.shape),
  unbroadcast(mul(gy, a), b.shape),
]);

/** `a / b` with broadcasting. */
export const div = (a: Value, b: Value): Value => binary('div', 'Div', a, b);
VJP_RULES.set('div', ({ inputs: [a, b], outputs: [y] }, gy) => {
  const ga = div(gy, b);
  return [unbroadcast(ga, a.shape), unbroadcast(neg(mul(ga, y)), b.shape)]; // ∂(a/b)/∂b = -y/b
});

// ---- elementwise unary ----

function unary(op: string, onnxType: string, x: Value): Value {
  return x.graph.emit(op, onnxType, [x], x.shape, floats(op, x));
}

/** `-x`. */
export const neg = (x: Value): Value => unary('neg', 'Neg', x);
VJP_RULES.set('neg', (_n, gy) => [neg(gy)]);

/** `exp(x)`. */
export const exp = (x: Value): Value => unary('exp', 'Exp', x);
VJP_RULES.set('exp', ({ outputs: [y] }, gy) => [mul(gy, y)]);

/** Natural logarithm. */
export const log = (x: Value): Value => unary('log', 'Log', x);
VJP_RULES.set('log', ({ inputs: [x] }, gy) => [div(gy, x)]);

/** Square root. */
export const sqrt = (x: Value): Value => unary('sqrt', 'Sqrt', x);
VJP_RULES.set('sqrt', ({ outputs: [y] }, gy) => [div(gy, mul(y, y.graph.scalar(2, y)))]);

/** Hyperbolic tangent. */
export const tanh = (x: Value): Value => unary('tanh', 'Tanh', x);
VJP_RULES.set('tanh', ({ outputs: [y] }, gy) => [mul(gy, sub(y.graph.scalar(1, y), mul(y, y)))]);

/** Logistic sigmoid. */
export const sigmoid = (x: Value): Value => unary('sigmoid', 'Sigmoid', x);
VJP_RULES.set('sigmoid', ({ outputs: [y] }, gy) => [mul(gy, mul(y, sub(y.graph.scalar(1, y), y)))]);

/** `max(x, 0)`. */
export const relu = (x: Value): Value => unary('relu', 'Relu', x);
VJP_RULES.set('relu', ({ inputs: [x] }, gy) => [mul(gy, cast(greater(x, x.graph.scalar(0, x)), x.dtype))]);

// ---- shape ops ----

/** Reshapes to a static shape of the same size. */
export function reshape(x: Value, shape: readonly number[]): Value {
  if (sizeOf(shape) !== sizeOf(x.shape)) {
    throw new GraphError(
      `reshape: cannot reshape ${fmt(x.shape)} (${sizeOf(x.shape)} values) to ${fmt(shape)}`,
    );
  }
  return x.graph.emit('reshape', 'Reshape', [x, x.graph.int64s(shape)], shape, x.dtype);
}
VJP_RULES.set('reshape', ({ inputs: [x] }, gy) => [reshape(gy, x.shape), null]);

/** Permutes axes. */
export function transpose(x: Value, perm: readonly number[]): Value {
  const rank = x.shape.length;
  if (perm.length !== rank || [...perm].sort((a, b) => a - b).some((p, i) => p !== i)) {
    throw new GraphError(`transpose: perm [${perm.join(', ')}] is not a permutation of ${rank} axes`);
  }
  return x.graph.emit(
    'transpose',
    'Transpose',
    [x],
    perm.map((p) => x.shape[p]),
    x.dtype,
    { perm: [...perm] },
  );
}
VJP_RULES.set('transpose', ({ attributes }, gy) => {
  const perm = attributes.perm as number[];
  const inverse = perm.map((_, i) => perm.indexOf(i));
  return [transpose(gy, inverse)];
});

/** Swaps the last two axes. */
export function transposeLast(x: Value): Value {
  const r = x.shape.length;
  const perm = x.shape.map((_, i) => i);
  [perm[r - 2], perm[r - 1]] = [perm[r - 1], perm[r - 2]];
  return transpose(x, perm);
}

/** Broadcasts to a larger shape. */
export function expand(x: Value, shape: readonly number[]): Value {
  const out = broadcastShapes(x.shape, shape, 'expand');
  if (out.length !== shape.length || out.some((d, i) => d !== shape[i])) {
    throw new GraphError(`expand: ${fmt(x.shape)} does not expand to ${fmt(shape)}`);
  }
  return x.graph.emit('expand', 'Expand', [x, x.graph.int64s(shape)], shape, x.dtype);
}
VJP_RULES.set('expand', ({ inputs: [x] }, gy) => [unbroadcast(gy, x.shape), null]);

// ---- reductions ----

function reduced(x: Value, axes: readonly number[], keepdims: boolean, op: string) {
  const norm = [...new Set(axes.map((a) => normalizeAxis(a, x.shape.length, op)))].sort((a, b) => a - b);
  const kept = x.shape.map((d, i) => (norm.includes(i) ? 1 : d));
  const shape = keepdims ? kept : x.shape.filter((_, i) => !norm.includes(i));
  return { norm, kept, shape };
}

/** Sums over `axes`. */
export function reduceSum(x: Value, axes: readonly number[], keepdims = false): Value {
  const { norm, shape } = reduced(x, axes, keepdims, 'reduceSum');
  return x.graph.emit('reduceSum', 'ReduceSum', [x, x.graph.int64s(norm)], shape, floats('reduceSum', x), {
    keepdims: keepdims ? 1 : 0,
  });
}
VJP_RULES.set('reduceSum', (node, gy) => {
  const x = node.inputs[0];
  const { kept } = reduced(x, axesOf(node), true, 'reduceSum');
  return [expand(reshape(gy, kept), x.shape), null];
});

/** Averages over `axes`. */
export function reduceMean(x: Value, axes: readonly number[], keepdims = false): Value {
  const { norm, shape } = reduced(x, axes, keepdims, 'reduceMean');
  return x.graph.emit('reduceMean', 'ReduceMean', [x, x.graph.int64s(norm)], shape, floats('reduceMean', x), {
    keepdims: keepdims ? 1 : 0,
  });
}
VJP_RULES.set('reduceMean', (node, gy) => {
  const x = node.inputs[0];
  const axes = axesOf(node);
  const { kept } = reduced(x, axes, true, 'reduceMean');
  const count = axes.reduce((n, a) => n * x.shape[a], 1);
  return [div(expand(reshape(gy, kept), x.shape), x.graph.scalar(count, x)), null];
});

/** The axes a reduce node reduced, read back from its axes constant. */
function axesOf(node: NodeRecord): number[] {
  const c = node.inputs[0].graph.constants.get(node.inputs[1].name)!;
  return Array.from(c.data as BigInt64Array, Number);
}

// ---- softmax ----

/** Softmax over `axis`. */
export function softmax(x: Value, axis = -1): Value {
  const a = normalizeAxis(axis, x.shape.length, 'softmax');
  return x.graph.emit('softmax', 'Softmax', [x], x.shape, floats('softmax', x), { axis: a });
}
VJP_RULES.set('softmax', ({ outputs: [y], attributes }, gy) => {
  const axis = attributes.axis as number;
  return [mul(y, sub(gy, reduceSum(mul(gy, y), [axis], true)))];
});

/** Log-softmax over `axis`. */
export function logSoftmax(x: Value, axis = -1): Value {
  const a = normalizeAxis(axis, x.shape.length, 'logSoftmax');
  return x.graph.emit('logSoftmax', 'LogSoftmax', [x], x.shape, floats('logSoftmax', x), { axis: a });
}
VJP_RULES.set('logSoftmax', ({ outputs: [y], attributes }, gy) => {
  const axis = attributes.axis as number;
  return [sub(gy, mul(exp(y), reduceSum(gy, [axis], true)))];
});

// ---- identity (Graph.named) ----

VJP_RULES.set('identity', (_node, gy) => [gy]);

// ---- matrix product ----

/** Batched matrix product `[..., m, k] @ [..., k, n]` with broadcasting of the leading axes. */
export function matMul(a: Value, b: Value): Value {
  const dtype = floats('matMul', a, b);
  if (a.shape.length < 2 || b.shape.length < 2) {
    throw new GraphError(`matMul: both operands need rank >= 2, got ${fmt(a.shape)} and ${fmt(b.shape)}`);
  }
  const [m, k] = a.shape.slice(-2);
  const [k2, n] = b.shape.slice(-2);
  if (k !== k2)
    throw new GraphError(
      `matMul: inner dimensions differ: ${fmt(a.shape)} @ ${fmt(b.shape)} (${k} vs ${k2})`,
    );
  const batch = broadcastShapes(a.shape.slice(0, -2), b.shape.slice(0, -2), 'matMul');
  return a.graph.emit('matMul', 'MatMul', [a, b], [...batch, m, n], dtype);
}
VJP_RULES.set('matMul', ({ inputs: [a, b] }, gy) => [
  unbroadcast(matMul(gy, transposeLast(b)), a.shape),
  unbroadcast(matMul(transposeLast(a), gy), b.shape),
]);

// ---- gather (embeddings) ----

/** Rows of `data` picked by int64 `indices` (axis 0): an embedding lookup. */
export function gather(data: Value, indices: Value): Value {
  floats('gather', data);
  if (indices.dtype !== 'int64')
    throw new GraphError(`gather: indices ${indices.name} must be int64, got ${indices.dtype}`);
  return data.graph.emit(
    'gather',
    'Gather',
    [data, indices],
    [...indices.shape, ...data.shape.slice(1)],
    data.dtype,
    {
      axis: 0,
    },
  );
}
VJP_RULES.set('gather', ({ inputs: [data, indices] }, gy) => {
  // Scatter-add the output gradient back into the rows it came from (ScatterND, reduction 'add').
  const idx = plain(
    indices,
    'Unsqueeze',
    [indices, indices.graph.int64s([indices.shape.length])],
    [...indices.shape, 1],
    'int64',
  );
  const grad = plain(gy, 'ScatterND', [zeros(gy, data.shape), idx, gy], data.shape, gy.dtype, {
    reduction: 'add',
  });
  return [grad, null];
});

// ---- more elementwise ----

/** Sine. */
export const sin = (x: Value): Value => unary('sin', 'Sin', x);
VJP_RULES.set('sin', ({ inputs: [x] }, gy) => [mul(gy, cos(x))]);

/** Cosine. */
export const cos = (x: Value): Value => unary('cos', 'Cos', x);
VJP_RULES.set('cos', ({ inputs: [x] }, gy) => [neg(mul(gy, sin(x)))]);

/** Error function. */
export const erf = (x: Value): Value => unary('erf', 'Erf', x);
VJP_RULES.set('erf', ({ inputs: [x] }, gy) => {
  // d erf(x)/dx = 2/sqrt(pi) · exp(-x²)
  const g = x.graph;
  return [mul(gy, mul(g.scalar(2 / Math.sqrt(Math.PI), x), exp(neg(mul(x, x)))))];
});

/** `cond ? a : b` elementwise with broadcasting (`cond` is bool). */
export function where(cond: Value, a: Value, b: Value): Value {
  if (cond.dtype !== 'bool')
    throw new GraphError(`where: condition ${cond.name} must be bool, got ${cond.dtype}`);
  const dtype = floats('where', a, b);
  const shape = broadcastShapes(broadcastShapes(cond.shape, a.shape, 'where'), b.shape, 'where');
  return a.graph.emit('where', 'Where', [cond, a, b], shape, dtype);
}
VJP_RULES.set('where', ({ inputs: [cond, a, b] }, gy) => {
  const zero = zeros(gy, gy.shape);
  return [null, unbroadcast(where(cond, gy, zero), a.shape), unbroadcast(where(cond, zero, gy), b.shape)];
});

// ---- concatenation and slicing ----

/** Joins tensors along `axis`; all other dimensions must agree. */
export function concat(xs: readonly Value[], axis: number): Value {
  if (xs.length === 0) throw new GraphError('concat: no inputs');
  const dtype = floats('concat', ...xs);
  const rank = xs[0].shape.length;
  const a = normalizeAxis(axis, rank, 'concat');
  const shape = [...xs[0].shape];
  shape[a] = 0;
  for (const x of xs) {
    if (x.shape.length !== rank || x.shape.some((d, i) => i !== a && d !== xs[0].shape[i])) {
      throw new GraphError(`concat: ${fmt(x.shape)} does not match ${fmt(xs[0].shape)} outside axis ${a}`);
    }
    shape[a] += x.shape[a];
  }
  return xs[0].graph.emit('concat', 'Concat', xs, shape, dtype, { axis: a });
}
VJP_RULES.set('concat', ({ inputs, attributes }, gy) => {
  const axis = attributes.axis as number;
  let start = 0;
  return inputs.map((x) => {
    const part = slice(gy, axis, start, start + x.shape[axis]);
    start += x.shape[axis];
    return part;
  });
});

/** Elements `start … end - 1` along `axis`. */
export function slice(x: Value, axis: number, start: number, end: number): Value {
  const a = normalizeAxis(axis, x.shape.length, 'slice');
  if (!(Number.isInteger(start) && Number.isInteger(end) && start >= 0 && end <= x.shape[a] && start < end)) {
    throw new GraphError(
      `slice: [${start}, ${end}) is not a non-empty range of axis ${a} (size ${x.shape[a]})`,
    );
  }
  const shape = [...x.shape];
  shape[a] = end - start;
  const g = x.graph;
  return g.emit('slice', 'Slice', [x, g.int64s([start]), g.int64s([end]), g.int64s([a])], shape, x.dtype);
}
VJP_RULES.set('slice', ({ inputs: [x, starts] }, gy) => {
  // Pad the gradient with zeros back to the input's extent along the sliced axis.
  const g = x.graph;
  const axis = gy.shape.findIndex((d, i) => d !== x.shape[i]);
  if (axis < 0) return [gy, null, null, null];
  const start = Number((g.constants.get(starts.name)!.data as BigInt64Array)[0]);
  const end = start + gy.shape[axis];
  const parts: Value[] = [];
  const zerosOf = (n: number) => {
    const shape = [...x.shape];
    shape[axis] = n;
    return zeros(gy, shape);
  };
  if (start > 0) parts.push(zerosOf(start));
  parts.push(gy);
  if (end < x.shape[axis]) parts.push(zerosOf(x.shape[axis] - end));
  return [parts.length === 1 ? gy : concat(parts, axis), null, null, null];
});

// ---- fused float32 kernels: normalization and exact GELU ----
// One ONNX Runtime node each instead of a chain of elementwise ops, with an analytic VJP. ONNX Runtime has
// float32 kernels only for these (LayerNormalization keeps its statistics in float32, Erf has no float64),
// so float64 graphs (gradient checks) build the same functions from elementwise ops instead (see layers.ts).

function float32Only(op: string, ...xs: Value[]): void {
  floats(op, ...xs);
  if (xs[0].dtype !== 'float32') throw new GraphError(`${op}: float32 only, got ${xs[0].dtype}`);
}

function checkFeatureVector(op: string, x: Value, v: Value): void {
  const d = x.shape[x.shape.length - 1];
  if (v.shape.length !== 1 || v.shape[0] !== d) {
    throw new GraphError(`${op}: ${v.name} must be [${d}] for input ${fmt(x.shape)}, got ${fmt(v.shape)}`);
  }
}

/** Shape of per-row statistics: `x`'s shape with the last axis kept as 1. */
const rowStats = (x: Value) => [...x.shape.slice(0, -1), 1];

/**
 * Layer normalization over the last axis, `(x - mean) / sqrt(var + eps) · scale + bias`, as one ONNX
 * LayerNormalization node (float32). Its mean and inverse standard deviation are node outputs that the VJP reuses.
 */
export function layerNormalization(x: Value, scale: Value, bias: Value, eps: number): Value {
  float32Only('layerNormalization', x, scale, bias);
  checkFeatureVector('layerNormalization', x, scale);
  checkFeatureVector('layerNormalization', x, bias);
  const stats = { shape: rowStats(x), dtype: x.dtype };
  return x.graph.emitNode({
    op: 'layerNormalization',
    onnxType: 'LayerNormalization',
    inputs: [x, scale, bias],
    outputs: [{ shape: x.shape, dtype: x.dtype }, stats, stats],
    attributes: { axis: -1, epsilon: { float: eps } },
  })[0];
}
VJP_RULES.set('layerNormalization', ({ inputs: [x, scale, bias], outputs: [, mean, invStd] }, gy) => {
  // With n = (x - mean)·invStd and gn = gy·scale:
  // ∂x = invStd·(gn - mean(gn) - n·mean(gn·n)), ∂scale = Σrows gy·n, ∂bias = Σrows gy.
  const normed = mul(sub(x, mean), invStd);
  const gNormed = mul(gy, scale);
  const centered = sub(gNormed, reduceMean(gNormed, [-1], true));
  const gx = mul(invStd, sub(centered, mul(normed, reduceMean(mul(gNormed, normed), [-1], true))));
  return [gx, unbroadcast(mul(gy, normed), scale.shape), unbroadcast(gy, bias.shape)];
});

/**
 * RMS normalization over the last axis, `x / sqrt(mean(x²) + eps) · scale`, as one node (float32): ONNX
 * Runtime's SimplifiedLayerNormalization, which it registers in the default ONNX domain. Its inverse RMS is a
 * second output that the VJP reuses.
 */
export function rmsNormalization(x: Value, scale: Value, eps: number): Value {
  float32Only('rmsNormalization', x, scale);
  checkFeatureVector('rmsNormalization', x, scale);
  return x.graph.emitNode({
    op: 'rmsNormalization',
    onnxType: 'SimplifiedLayerNormalization',
    inputs: [x, scale],
    outputs: [
      { shape: x.shape, dtype: x.dtype },
      { shape: rowStats(x), dtype: x.dtype },
    ],
    attributes: { axis: -1, epsilon: { float: eps } },
  })[0];
}
VJP_RULES.set('rmsNormalization', ({ inputs: [x, scale], outputs: [, invRms] }, gy) => {
  // With n = x·invRms and gn = gy·scale: ∂x = invRms·(gn - n·mean(gn·n)), ∂scale = Σrows gy·n.
  const normed = mul(x, invRms);
  const gNormed = mul(gy, scale);
  const gx = mul(invRms, sub(gNormed, mul(normed, reduceMean(mul(gNormed, normed), [-1], true))));
  return [gx, unbroadcast(mul(gy, normed), scale.shape)];
});

/** Exact GELU, `x · Φ(x)` with Φ the standard normal CDF, as one ONNX Runtime Gelu node (float32). */
export function geluExact(x: Value): Value {
  float32Only('geluExact', x);
  return x.graph.emitNode({
    op: 'geluExact',
    onnxType: 'Gelu',
    domain: MICROSOFT_DOMAIN,
    inputs: [x],
    outputs: [{ shape: x.shape, dtype: x.dtype }],
  })[0];
}
VJP_RULES.set('geluExact', ({ inputs: [x] }, gy) => {
  // d/dx x·Φ(x) = Φ(x) + x·φ(x), with Φ(x) = (1 + erf(x/√2))/2 and φ(x) = exp(-x²/2)/√(2π).
  const g = x.graph;
  const c = (v: number) => g.scalar(v, x);
  const cdf = mul(add(erf(mul(x, c(Math.SQRT1_2))), c(1)), c(0.5));
  const xPdf = mul(x, mul(exp(mul(mul(x, x), c(-0.5))), c(1 / Math.sqrt(2 * Math.PI))));
  return [mul(gy, add(cdf, xPdf))];
});
