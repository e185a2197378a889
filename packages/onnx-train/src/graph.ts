import { type DType, isFloat, type TensorData } from './dtype.js';
import { GraphError } from './errors.js';
import { fmt, sizeOf } from './shape.js';

/** An ONNX attribute value: a number is an INT attribute when it is an integer; `{ float }` forces FLOAT. */
export type AttributeValue = number | number[] | string | { tensor: Constant } | { float: number };

/** A symbolic tensor with a static shape, produced by a graph input, parameter, constant or op. */
export class Value {
  constructor(
    readonly graph: Graph,
    readonly name: string,
    readonly shape: readonly number[],
    readonly dtype: DType,
  ) {}

  toString(): string {
    return `${this.name}: ${this.dtype}${fmt(this.shape)}`;
  }
}

/** A constant tensor stored in the graph (an ONNX initializer). */
export interface Constant {
  readonly dtype: DType;
  readonly shape: readonly number[];
  readonly data: TensorData;
}

/** A trainable parameter: its value lives outside the graph, in the caller's typed arrays. */
export interface Parameter {
  readonly value: Value;
  /** Initial values, from the parameter's seeded initializer. */
  readonly init: Float32Array | Float64Array;
}

/** One op application. `op` names the builder op (and its VJP rule); `onnxType` the emitted ONNX operator. */
export interface NodeRecord {
  readonly op: string;
  readonly onnxType: string;
  /** Operator domain of `onnxType`; absent for the default ONNX domain (`com.microsoft` for ONNX Runtime's own ops). */
  readonly domain?: string;
  readonly inputs: readonly Value[];
  readonly outputs: readonly Value[];
  readonly attributes: Readonly<Record<string, AttributeValue>>;
}

/**
 * A typed ONNX graph under construction. Shapes and dtypes are static and checked as ops are added,
 * so a mistake fails where it is made, naming the op and the shapes.
 */
export class Graph {
  readonly inputs: Value[] = [];
  readonly parameters = new Map<string, Parameter>();
  readonly constants = new Map<string, Constant>();
  readonly nodes: NodeRecord[] = [];
  private readonly names = new Set<string>();
  private counter = 0;

  private claim(name: string): string {
    if (this.names.has(name))
      throw new GraphError(`the name ${JSON.stringify(name)} is already used in this graph`);
    this.names.add(name);
    return name;
  }

  /** A fresh name with the given prefix. */
  fresh(prefix: string): string {
    let name: string;
    do name = `${prefix}_${this.counter++}`;
    while (this.names.has(name));
    return this.claim(name);
  }

  /** A graph input fed at run time. */
  input(name: string, shape: readonly number[], dtype: DType = 'float32'): Value {
    checkShape(shape, `input ${name}`);
    const v = new Value(this, this.claim(name), [...shape], dtype);
    this.inputs.push(v);
    return v;
  }

  /**
   * A trainable parameter, named hierarchically (`blocks.3.attn.q.weight`), with its initial values.
   * Asking again for an existing name with the same shape returns the same parameter (weight sharing, e.g.
   * one network applied at several unrolled steps).
   */
  parameter(name: string, shape: readonly number[], init: Float32Array | Float64Array): Value {
    const existing = this.parameters.get(name);
    if (existing !== undefined) {
      const same =
        existing.value.shape.length === shape.length && existing.value.shape.every((d, i) => d === shape[i]);
      if (!same) {
        throw new GraphError(
          `parameter ${name}: already defined with shape ${fmt(existing.value.shape)}, asked for ${fmt(shape)}`,
        );
      }
      return existing.value;
    }
    checkShape(shape, `parameter ${name}`);
    if (init.length !== sizeOf(shape)) {
      throw new GraphError(`parameter ${name}: ${init.length} initial values for shape ${fmt(shape)}`);
    }
    const dtype: DType = init instanceof Float64Array ? 'float64' : 'float32';
    const value = new Value(this, this.claim(name), [...shape], dtype);
    this.parameters.set(name, { value, init });
    return value;
  }

  /** A constant tensor. */
  constant(data: TensorData, shape: readonly number[], dtype: DType): Value {
    checkShape(shape, 'constant', true);
    if (data.length !== sizeOf(shape))
      throw new GraphError(`constant: ${data.length} values for shape ${fmt(shape)}`);
    const name = this.fresh('const');
    this.constants.set(name, { dtype, shape: [...shape], data });
    return new Value(this, name, [...shape], dtype);
  }

  /** A scalar constant of the same float type as `like`. */
  scalar(x: number, like: Value): Value {
    return this.constant(like.dtype === 'float64' ? Float64Array.of(x) : Float32Array.of(x), [], like.dtype);
  }

  /** An int64 vector constant (shapes, axes). */
  int64s(values: readonly number[]): Value {
    return this.constant(
      BigInt64Array.from(values, (v) => BigInt(v)),
      [values.length],
      'int64',
    );
  }

  /** Adds a node; used by the op functions, which infer the output shape and dtype first. */
  emit(
    op: string,
    onnxType: string,
    inputs: readonly Value[],
    outShape: readonly number[],
    outDtype: DType,
    attributes: Record<string, AttributeValue> = {},
  ): Value {
    return this.emitNode({
      op,
      onnxType,
      inputs,
      outputs: [{ shape: outShape, dtype: outDtype }],
      attributes,
    })[0];
  }

  /**
   * Adds a node with any number of outputs (e.g. LayerNormalization's mean and inverse standard deviation,
   * which a VJP rule reads back) and, optionally, a non-default operator domain. Gradients flow into the
   * first output only.
   */
  emitNode(node: {
    op: string;
    onnxType: string;
    domain?: string;
    inputs: readonly Value[];
    outputs: readonly { shape: readonly number[]; dtype: DType }[];
    attributes?: Record<string, AttributeValue>;
  }): Value[] {
    const { op, onnxType, domain, inputs, attributes = {} } = node;
    for (const v of inputs) {
      if (v.graph !== this) throw new GraphError(`${op}: input ${v.name} belongs to another graph`);
    }
    const outputs = node.outputs.map(
      ({ shape, dtype }) => new Value(this, this.fresh(op), [...shape], dtype),
    );
    this.nodes.push({
      op,
      onnxType,
      ...(domain === undefined ? {} : { domain }),
      inputs,
      outputs,
      attributes,
    });
    return outputs;
  }

  /**
   * `v` under a chosen name (an ONNX Identity), so an exported model's inputs and outputs can follow a
   * naming convention such as Hugging Face's `logits` and `present.0.key`.
   */
  named(v: Value, name: string): Value {
    if (v.graph !== this) throw new GraphError(`named: ${v.name} belongs to another graph`);
    const out = new Value(this, this.claim(name), [...v.shape], v.dtype);
    this.nodes.push({ op: 'identity', onnxType: 'Identity', inputs: [v], outputs: [out], attributes: {} });
    return out;
  }

  /** The parameters through which gradients can flow. */
  trainable(): Value[] {
    return [...this.parameters.values()].map((p) => p.value).filter((v) => isFloat(v.dtype));
  }
}

function checkShape(shape: readonly number[], what: string, allowEmpty = false): void {
  if (!shape.every((d) => Number.isInteger(d) && (d > 0 || (allowEmpty && d === 0)))) {
    throw new GraphError(`${what}: dimensions must be positive integers, got ${fmt(shape)}`);
  }
}
