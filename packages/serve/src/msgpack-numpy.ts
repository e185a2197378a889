/**
 * openpi's `openpi_client.msgpack_numpy`, in TypeScript. Facts reproduced:
 * - an `np.ndarray` travels as the map `{b"__ndarray__": True, b"data": a.tobytes(), b"dtype": a.dtype.str,
 *   b"shape": a.shape}` (binary keys, in that order; `dtype` is a str, `shape` an array of ints);
 * - an `np.generic` travels as `{b"__npgeneric__": True, b"data": x.item(), b"dtype": x.dtype.str}`;
 * - everything else is plain msgpack with `use_bin_type=True` (str → str, bytes → bin, float → float64);
 * - decoding turns a map into an array only when it has the BINARY key `__ndarray__` / `__npgeneric__`.
 */
import { Unpackr } from 'msgpackr';
import { ServeError } from './errors.js';
import { encodeMsgpack } from './msgpack-writer.js';
import { type DType, dtypeKind, Float64, NdArray, NpScalar, parseNumpyDtype } from './ndarray.js';

const textEncoder = new TextEncoder();
const textDecoder = new TextDecoder();

const KEY_NDARRAY = textEncoder.encode('__ndarray__');
const KEY_NPGENERIC = textEncoder.encode('__npgeneric__');
const KEY_DATA = textEncoder.encode('data');
const KEY_DTYPE = textEncoder.encode('dtype');
const KEY_SHAPE = textEncoder.encode('shape');

// Plain msgpack out of msgpackr: no records extension, maps kept as Maps so binary keys survive,
// 64-bit ints as bigint (narrowed to numbers below when they are safe).
const unpackr = new Unpackr({ useRecords: false, mapsAsObjects: false, int64AsType: 'bigint' });

function toPythonValue(value: object): unknown {
  if (value instanceof NdArray) {
    return new Map<Uint8Array, unknown>([
      [KEY_NDARRAY, true],
      [KEY_DATA, value.bytes()],
      [KEY_DTYPE, value.numpyDtype],
      [KEY_SHAPE, [...value.shape]],
    ]);
  }
  if (value instanceof NpScalar) {
    // `x.item()` is a Python float for float dtypes, so it is always a float64 on the wire.
    const item = dtypeKind(value.dtype) === 'f' ? new Float64(value.value as number) : value.value;
    return new Map<Uint8Array, unknown>([
      [KEY_NPGENERIC, true],
      [KEY_DATA, item],
      [KEY_DTYPE, value.numpyDtype],
    ]);
  }
  return undefined;
}

/**
 * Encodes `value` exactly as openpi's `msgpack_numpy.packb` encodes the corresponding Python value.
 * JS → Python: object/Map → dict, array → list, string → str, Uint8Array → bytes, boolean → bool,
 * null/undefined → None, bigint → int, integral number → int, other number → float,
 * `Float64` → float, `NdArray` → ndarray, `NpScalar` → numpy scalar.
 * Other typed arrays must be wrapped in `NdArray.from`; unsupported values throw an Error naming their path.
 */
export function packMessage(value: unknown): Uint8Array {
  return encodeMsgpack(value, {
    default: toPythonValue,
    isFloat64: (v): v is Float64 => v instanceof Float64,
  });
}

function asciiEquals(bytes: Uint8Array, key: Uint8Array): boolean {
  if (bytes.length !== key.length) return false;
  for (let i = 0; i < key.length; i++) if (bytes[i] !== key[i]) return false;
  return true;
}

function binaryKey(map: Map<unknown, unknown>, key: Uint8Array): unknown {
  for (const [k, v] of map) {
    if (k instanceof Uint8Array && asciiEquals(k, key)) return v;
  }
  return undefined;
}

function hasBinaryKey(map: Map<unknown, unknown>, key: Uint8Array): boolean {
  for (const k of map.keys()) {
    if (k instanceof Uint8Array && asciiEquals(k, key)) return true;
  }
  return false;
}

function describeWire(value: unknown): string {
  if (value === null || value === undefined) return 'nil';
  if (value instanceof Uint8Array) return `bin (${value.length} bytes)`;
  if (Array.isArray(value)) return `array of ${value.length}`;
  if (value instanceof Map) return 'map';
  return typeof value;
}

function readDtype(map: Map<unknown, unknown>, where: string): DType {
  const dtype = binaryKey(map, KEY_DTYPE);
  const text = dtype instanceof Uint8Array ? textDecoder.decode(dtype) : dtype;
  if (typeof text !== 'string')
    throw new ServeError(`${where}: 'dtype' must be a numpy dtype string, got ${describeWire(dtype)}`);
  return parseNumpyDtype(text, where);
}

function decodeNdarray(map: Map<unknown, unknown>, where: string): NdArray {
  const dtype = readDtype(map, where);
  const data = binaryKey(map, KEY_DATA);
  if (!(data instanceof Uint8Array))
    throw new ServeError(`${where}: 'data' must be bin, got ${describeWire(data)}`);
  const rawShape = binaryKey(map, KEY_SHAPE);
  const shapeList = typeof rawShape === 'number' || typeof rawShape === 'bigint' ? [rawShape] : rawShape;
  if (!Array.isArray(shapeList))
    throw new ServeError(`${where}: 'shape' must be an array of ints, got ${describeWire(rawShape)}`);
  const shape = shapeList.map((dim) => {
    const n = typeof dim === 'bigint' ? Number(dim) : dim;
    if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0) {
      throw new ServeError(`${where}: 'shape' must hold non-negative ints, got ${String(dim)}`);
    }
    return n;
  });
  return NdArray.fromBytes(dtype, shape, data, where);
}

function decodeNpGeneric(map: Map<unknown, unknown>, where: string): NpScalar {
  const dtype = readDtype(map, where);
  const item = binaryKey(map, KEY_DATA);
  const kind = dtypeKind(dtype);
  if (kind === 'b' && (typeof item === 'boolean' || typeof item === 'number'))
    return new NpScalar(dtype, Boolean(item));
  if (kind === 'f' && (typeof item === 'number' || typeof item === 'bigint'))
    return new NpScalar(dtype, Number(item));
  if ((kind === 'i' || kind === 'u') && (typeof item === 'number' || typeof item === 'bigint')) {
    return new NpScalar(dtype, item);
  }
  throw new ServeError(`${where}: numpy scalar of dtype ${dtype} cannot hold ${describeWire(item)}`);
}

function mapKey(key: unknown, where: string): string {
  if (typeof key === 'string') return key;
  if (key instanceof Uint8Array) return textDecoder.decode(key);
  // Python's unpackb (strict_map_key=True) only accepts str and bytes keys.
  throw new ServeError(
    `${where}: map key of type ${describeWire(key)} is not supported (only str and bin keys are)`,
  );
}

function fromWire(value: unknown, where: string): unknown {
  if (typeof value === 'bigint') {
    return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER)
      ? Number(value)
      : value;
  }
  if (value === null || typeof value !== 'object') return value;
  if (value instanceof Uint8Array) return new Uint8Array(value);
  if (Array.isArray(value)) return value.map((item, i) => fromWire(item, `${where}/${i}`));
  if (value instanceof Map) {
    if (hasBinaryKey(value, KEY_NDARRAY)) return decodeNdarray(value, where);
    if (hasBinaryKey(value, KEY_NPGENERIC)) return decodeNpGeneric(value, where);
    const record: Record<string, unknown> = {};
    for (const [key, item] of value) {
      const name = mapKey(key, where);
      Object.defineProperty(record, name, {
        value: fromWire(item, `${where}/${name}`),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return record;
  }
  // msgpackr turns extension types (a timestamp into a Date, …) and the reserved byte 0xc1 into other objects;
  // openpi never sends them.
  throw new ServeError(
    `${where}: unsupported msgpack value (${value.constructor?.name ?? 'object'}: an extension type or 0xc1)`,
  );
}

/**
 * Decodes a message as openpi's `msgpack_numpy.unpackb` does: str → string, bin → Uint8Array (copied),
 * map → plain object (or `NdArray`/`NpScalar` for the numpy maps), array → array, ints beyond ±2^53 → bigint.
 * Array data is copied into fresh, aligned typed arrays. Malformed input throws an Error saying what and where.
 */
export function unpackMessage(bytes: Uint8Array): unknown {
  let wire: unknown;
  try {
    wire = unpackr.unpack(bytes);
  } catch (error) {
    throw new ServeError(`unpackMessage: not a valid msgpack message (${(error as Error).message})`);
  }
  return fromWire(wire, '<root>');
}
