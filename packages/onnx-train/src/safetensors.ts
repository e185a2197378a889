import { GraphError } from './errors.js';
import {
  bfloat16ToFloat32,
  float16ToFloat32,
  float32ToBfloat16,
  float32ToFloat16,
} from './half-precision.js';

/**
 * The typed array that holds each safetensors dtype. F16 and BF16 have no JavaScript array type: their
 * raw 16-bit patterns are kept in a `Uint16Array` (use {@link tensorToFloat32} for values). BOOL is one
 * byte per element, 0 or 1.
 */
export interface SafetensorsArrays {
  F64: Float64Array;
  F32: Float32Array;
  F16: Uint16Array;
  BF16: Uint16Array;
  I64: BigInt64Array;
  I32: Int32Array;
  I16: Int16Array;
  I8: Int8Array;
  U64: BigUint64Array;
  U32: Uint32Array;
  U16: Uint16Array;
  U8: Uint8Array;
  BOOL: Uint8Array;
}

/** Element types this reader and writer handle (safetensors names). FP8 types are rejected. */
export type SafetensorsDtype = keyof SafetensorsArrays;

/**
 * One stored tensor: its dtype, shape (`[]` for a scalar) and raw data in the dtype's array type.
 * A union over dtypes, so narrowing on `dtype` types `data`.
 */
export type StoredTensor<D extends SafetensorsDtype = SafetensorsDtype> = {
  [K in D]: { dtype: K; shape: number[]; data: SafetensorsArrays[K] };
}[D];

type ArrayConstructorFor<D extends SafetensorsDtype> = new (buffer: ArrayBuffer) => SafetensorsArrays[D];

const ARRAYS: { [D in SafetensorsDtype]: ArrayConstructorFor<D> } = {
  F64: Float64Array,
  F32: Float32Array,
  F16: Uint16Array,
  BF16: Uint16Array,
  I64: BigInt64Array,
  I32: Int32Array,
  I16: Int16Array,
  I8: Int8Array,
  U64: BigUint64Array,
  U32: Uint32Array,
  U16: Uint16Array,
  U8: Uint8Array,
  BOOL: Uint8Array,
};

const BYTES: Record<SafetensorsDtype, number> = {
  F64: 8,
  F32: 4,
  F16: 2,
  BF16: 2,
  I64: 8,
  I32: 4,
  I16: 2,
  I8: 1,
  U64: 8,
  U32: 4,
  U16: 2,
  U8: 1,
  BOOL: 1,
};

function isDtype(name: unknown): name is SafetensorsDtype {
  return typeof name === 'string' && Object.hasOwn(BYTES, name);
}

/** Typed arrays whose class names one dtype (16-bit floats and BOOL need {@link halfTensor} or an explicit dtype). */
export type UnambiguousArray =
  | Float64Array
  | Float32Array
  | BigInt64Array
  | Int32Array
  | Int16Array
  | Int8Array
  | BigUint64Array
  | Uint32Array
  | Uint16Array
  | Uint8Array;

/** The dtype name of a typed array (a `Uint16Array` is `U16`, a `Uint8Array` is `U8`). */
export function dtypeOf(data: UnambiguousArray): SafetensorsDtype {
  if (data instanceof Float64Array) return 'F64';
  if (data instanceof Float32Array) return 'F32';
  if (data instanceof BigInt64Array) return 'I64';
  if (data instanceof Int32Array) return 'I32';
  if (data instanceof Int16Array) return 'I16';
  if (data instanceof Int8Array) return 'I8';
  if (data instanceof BigUint64Array) return 'U64';
  if (data instanceof Uint32Array) return 'U32';
  if (data instanceof Uint16Array) return 'U16';
  return 'U8';
}

/** A stored tensor from a typed array, its dtype named by the array's class ({@link dtypeOf}). */
export function tensorFromArray(data: UnambiguousArray, shape: readonly number[]): StoredTensor {
  return { dtype: dtypeOf(data), shape: [...shape], data } as StoredTensor;
}

/**
 * A tensor stored in half precision: `values` rounded to float32, then to F16 or BF16 with
 * round-to-nearest-even (as PyTorch's `.half()` / `.bfloat16()`).
 *
 * @example
 * encodeSafetensors(new Map([['w', halfTensor(weights, [64, 64], 'BF16')]]));
 */
export function halfTensor(
  values: ArrayLike<number>,
  shape: readonly number[],
  dtype: 'F16' | 'BF16',
): StoredTensor<'F16' | 'BF16'> {
  const data = dtype === 'F16' ? float32ToFloat16(values) : float32ToBfloat16(values);
  return { dtype, shape: [...shape], data };
}

/**
 * The values of a stored tensor as float32, the way Hugging Face weights are usually consumed: F16 and
 * BF16 widen exactly, F32 is returned as stored (not copied), F64 and integers are rounded to float32.
 */
export function tensorToFloat32(tensor: StoredTensor): Float32Array {
  switch (tensor.dtype) {
    case 'F32':
      return tensor.data;
    case 'F16':
      return float16ToFloat32(tensor.data);
    case 'BF16':
      return bfloat16ToFloat32(tensor.data);
    case 'I64':
    case 'U64':
      return Float32Array.from(tensor.data, (v) => Number(v));
    default:
      return Float32Array.from(tensor.data);
  }
}

/**
 * Encodes tensors in the safetensors layout (per the format's specification): an 8-byte
 * little-endian header length, a JSON header padded with spaces to 8 bytes, then the raw little-endian data.
 */
export function encodeSafetensors(
  tensors: ReadonlyMap<string, StoredTensor>,
  metadata: Record<string, string> = {},
): Uint8Array {
  const header: Record<string, unknown> = { __metadata__: metadata };
  let offset = 0;
  for (const [name, t] of tensors) {
    if (!isDtype(t.dtype)) throw new GraphError(`safetensors: ${name} has unsupported dtype ${t.dtype}`);
    const bytes = t.data.byteLength;
    const expected = t.shape.reduce((a, b) => a * b, 1) * BYTES[t.dtype];
    if (bytes !== expected)
      throw new GraphError(`safetensors: ${name} has ${bytes} bytes, shape and dtype need ${expected}`);
    header[name] = { dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  let json = JSON.stringify(header);
  while ((8 + new TextEncoder().encode(json).length) % 8 !== 0) json += ' ';
  const headerBytes = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + headerBytes.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerBytes.length), true);
  out.set(headerBytes, 8);
  let at = 8 + headerBytes.length;
  for (const t of tensors.values()) {
    out.set(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength), at);
    at += t.data.byteLength;
  }
  return out;
}

interface HeaderEntry {
  dtype: unknown;
  shape: unknown;
  data_offsets: unknown;
}

function isShape(shape: unknown): shape is number[] {
  return Array.isArray(shape) && shape.every((d) => Number.isInteger(d) && d >= 0);
}

/**
 * Decodes a safetensors file; `source` names it in errors. Every dtype of {@link SafetensorsDtype} is read
 * as stored (F16/BF16 as raw bits; see {@link tensorToFloat32}); the arrays are copies, so they are aligned.
 */
export function decodeSafetensors(
  bytes: Uint8Array,
  source = 'safetensors',
): {
  tensors: Map<string, StoredTensor>;
  metadata: Record<string, string>;
} {
  if (bytes.length < 8) throw new GraphError(`${source}: truncated (${bytes.length} bytes)`);
  const n = Number(new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true));
  if (8 + n > bytes.length)
    throw new GraphError(`${source}: header of ${n} bytes runs past the end of the file`);
  let header: Record<string, HeaderEntry | Record<string, string>>;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n)));
  } catch (err) {
    throw new GraphError(`${source}: corrupt header (${(err as Error).message})`);
  }
  const base = 8 + n;
  const tensors = new Map<string, StoredTensor>();
  let metadata: Record<string, string> = {};
  for (const [name, entry] of Object.entries(header)) {
    if (name === '__metadata__') {
      metadata = entry as Record<string, string>;
      continue;
    }
    const { dtype, shape, data_offsets: offsets } = entry as HeaderEntry;
    if (!isDtype(dtype)) throw new GraphError(`${source}: ${name} has unsupported dtype ${String(dtype)}`);
    if (!isShape(shape))
      throw new GraphError(`${source}: ${name} has an invalid shape ${JSON.stringify(shape)}`);
    const [start, end] = Array.isArray(offsets) ? offsets : [];
    if (
      !Number.isInteger(start) ||
      !Number.isInteger(end) ||
      start < 0 ||
      base + end > bytes.length ||
      end - start !== shape.reduce((a, b) => a * b, 1) * BYTES[dtype]
    ) {
      throw new GraphError(
        `${source}: ${name} has inconsistent offsets ${JSON.stringify(offsets)} for ${dtype}[${shape.join(', ')}]`,
      );
    }
    // A copy (Node's Buffer#slice would share memory), so typed arrays start aligned.
    const copy = Uint8Array.prototype.slice.call(bytes, base + start, base + end).buffer;
    tensors.set(name, { dtype, shape, data: new ARRAYS[dtype](copy) } as StoredTensor);
  }
  return { tensors, metadata };
}
