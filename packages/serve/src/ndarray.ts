import { ServeError } from './errors.js';
/**
 * The numpy values that travel over openpi's wire protocol, as JS objects:
 * `NdArray` (an `np.ndarray`), `NpScalar` (an `np.generic` such as `np.float32(0.5)`)
 * and `Float64` (a Python `float`, which JS cannot tell apart from an int when it is integral).
 */

/** The numpy element types this protocol carries. Names are numpy's (`np.dtype(x).name`). */
export type DType =
  | 'bool'
  | 'int8'
  | 'uint8'
  | 'int16'
  | 'uint16'
  | 'int32'
  | 'uint32'
  | 'int64'
  | 'uint64'
  | 'float32'
  | 'float64';

/** The typed array that holds each dtype's elements (`bool` is one byte per element, 0 or 1). */
export interface DTypeArrays {
  bool: Uint8Array;
  int8: Int8Array;
  uint8: Uint8Array;
  int16: Int16Array;
  uint16: Uint16Array;
  int32: Int32Array;
  uint32: Uint32Array;
  int64: BigInt64Array;
  uint64: BigUint64Array;
  float32: Float32Array;
  float64: Float64Array;
}

/** Any typed array an `NdArray` can hold. */
export type NumericArray = DTypeArrays[DType];

/** The dtype `NdArray.from` infers from a typed array's class. */
export type DTypeOf<T extends NumericArray> = T extends Float32Array
  ? 'float32'
  : T extends Float64Array
    ? 'float64'
    : T extends Int8Array
      ? 'int8'
      : T extends Int16Array
        ? 'int16'
        : T extends Uint16Array
          ? 'uint16'
          : T extends Int32Array
            ? 'int32'
            : T extends Uint32Array
              ? 'uint32'
              : T extends BigInt64Array
                ? 'int64'
                : T extends BigUint64Array
                  ? 'uint64'
                  : 'uint8';

interface DTypeInfo {
  /** numpy's `dtype.str` on a little-endian machine. */
  readonly numpy: string;
  readonly itemSize: number;
  readonly create: (length: number) => NumericArray;
  readonly matches: (data: unknown) => boolean;
  /** numpy's dtype kind: b (bool), i (signed), u (unsigned), f (float). */
  readonly kind: 'b' | 'i' | 'u' | 'f';
}

const DTYPES: Readonly<Record<DType, DTypeInfo>> = {
  bool: {
    numpy: '|b1',
    itemSize: 1,
    kind: 'b',
    create: (n) => new Uint8Array(n),
    matches: (d) => d instanceof Uint8Array,
  },
  int8: {
    numpy: '|i1',
    itemSize: 1,
    kind: 'i',
    create: (n) => new Int8Array(n),
    matches: (d) => d instanceof Int8Array,
  },
  uint8: {
    numpy: '|u1',
    itemSize: 1,
    kind: 'u',
    create: (n) => new Uint8Array(n),
    matches: (d) => d instanceof Uint8Array,
  },
  int16: {
    numpy: '<i2',
    itemSize: 2,
    kind: 'i',
    create: (n) => new Int16Array(n),
    matches: (d) => d instanceof Int16Array,
  },
  uint16: {
    numpy: '<u2',
    itemSize: 2,
    kind: 'u',
    create: (n) => new Uint16Array(n),
    matches: (d) => d instanceof Uint16Array,
  },
  int32: {
    numpy: '<i4',
    itemSize: 4,
    kind: 'i',
    create: (n) => new Int32Array(n),
    matches: (d) => d instanceof Int32Array,
  },
  uint32: {
    numpy: '<u4',
    itemSize: 4,
    kind: 'u',
    create: (n) => new Uint32Array(n),
    matches: (d) => d instanceof Uint32Array,
  },
  int64: {
    numpy: '<i8',
    itemSize: 8,
    kind: 'i',
    create: (n) => new BigInt64Array(n),
    matches: (d) => d instanceof BigInt64Array,
  },
  uint64: {
    numpy: '<u8',
    itemSize: 8,
    kind: 'u',
    create: (n) => new BigUint64Array(n),
    matches: (d) => d instanceof BigUint64Array,
  },
  float32: {
    numpy: '<f4',
    itemSize: 4,
    kind: 'f',
    create: (n) => new Float32Array(n),
    matches: (d) => d instanceof Float32Array,
  },
  float64: {
    numpy: '<f8',
    itemSize: 8,
    kind: 'f',
    create: (n) => new Float64Array(n),
    matches: (d) => d instanceof Float64Array,
  },
};

/** Every supported dtype, in a fixed order. */
export const DTYPE_NAMES: readonly DType[] = Object.keys(DTYPES) as DType[];

// Typed arrays use the host's byte order; numpy's `<` strings are little-endian.
const HOST_IS_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** numpy's `dtype.str` for `dtype`, e.g. `'<f4'` for float32, `'|u1'` for uint8. */
export function numpyDtypeString(dtype: DType): string {
  return DTYPES[dtype].numpy;
}

/** Bytes per element of `dtype`. */
export function dtypeItemSize(dtype: DType): number {
  return DTYPES[dtype].itemSize;
}

/** numpy's kind letter of `dtype`: `b` bool, `i` signed int, `u` unsigned int, `f` float. */
export function dtypeKind(dtype: DType): 'b' | 'i' | 'u' | 'f' {
  return DTYPES[dtype].kind;
}

/**
 * Parses a numpy dtype string (`np.dtype.str`, e.g. `'<f4'`, `'|u1'`) into a `DType`.
 * Big-endian (`>`), object, string, complex and other dtypes are rejected with an error naming `where`.
 */
export function parseNumpyDtype(text: string, where = 'dtype'): DType {
  const match = /^([<>|=]?)([a-zA-Z])(\d*)$/.exec(text);
  if (!match) throw new ServeError(`${where}: unsupported numpy dtype '${text}'`);
  const [, order, kind, size] = match;
  if (order === '>' && size !== '1') {
    throw new ServeError(
      `${where}: big-endian dtype '${text}' is not supported (send little-endian arrays, e.g. '<${kind}${size}')`,
    );
  }
  if (kind === 'O') throw new ServeError(`${where}: object dtype '${text}' cannot travel as raw bytes`);
  const canonical = `${kind}${size}`;
  for (const name of DTYPE_NAMES) {
    if (DTYPES[name].numpy.slice(1) === canonical) return name;
  }
  throw new ServeError(
    `${where}: unsupported numpy dtype '${text}' (supported: ${DTYPE_NAMES.map((d) => DTYPES[d].numpy).join(', ')})`,
  );
}

function describeArray(data: unknown): string {
  return data !== null && typeof data === 'object' ? data.constructor.name : typeof data;
}

function elementCount(shape: readonly number[], where: string): number {
  let count = 1;
  for (const dim of shape) {
    if (!Number.isSafeInteger(dim) || dim < 0) {
      throw new ServeError(`${where}: shape [${shape.join(', ')}] must hold non-negative integers`);
    }
    count *= dim;
  }
  return count;
}

/**
 * An n-dimensional array in numpy's C order: `data` holds `shape`'s elements row-major,
 * as the typed array of `dtype` (see `DTypeArrays`).
 */
export class NdArray<D extends DType = DType> {
  readonly dtype: D;
  readonly shape: readonly number[];
  readonly data: DTypeArrays[D];

  /** Checks that `data` is `dtype`'s typed array and holds exactly `shape`'s element count. */
  constructor(dtype: D, shape: readonly number[], data: DTypeArrays[D]) {
    const info = DTYPES[dtype];
    if (!info) throw new ServeError(`NdArray: unknown dtype '${String(dtype)}'`);
    if (!info.matches(data)) {
      throw new ServeError(
        `NdArray: dtype ${dtype} needs a ${info.create(0).constructor.name}, got ${describeArray(data)}`,
      );
    }
    const count = elementCount(shape, 'NdArray');
    if (count !== data.length) {
      throw new ServeError(
        `NdArray: shape [${shape.join(', ')}] holds ${count} elements, data has ${data.length} (dtype ${dtype})`,
      );
    }
    this.dtype = dtype;
    this.shape = Object.freeze([...shape]);
    this.data = data;
  }

  /**
   * Wraps a typed array (no copy). The dtype follows the class (`Uint8Array` → uint8); `shape`
   * defaults to one dimension. Use `NdArray.bool` for boolean arrays.
   */
  static from<T extends NumericArray>(
    data: T,
    shape: readonly number[] = [data.length],
  ): NdArray<DTypeOf<T>> {
    for (const name of DTYPE_NAMES) {
      if (name !== 'bool' && DTYPES[name].matches(data)) {
        return new NdArray(name as DTypeOf<T>, shape, data as unknown as DTypeArrays[DTypeOf<T>]);
      }
    }
    throw new ServeError(`NdArray.from: unsupported array ${describeArray(data)}`);
  }

  /** A boolean array over bytes that are 0 or 1 (no copy). */
  static bool(data: Uint8Array, shape: readonly number[] = [data.length]): NdArray<'bool'> {
    return new NdArray('bool', shape, data);
  }

  /** A zero-filled array. */
  static zeros<D extends DType>(dtype: D, shape: readonly number[]): NdArray<D> {
    const count = elementCount(shape, 'NdArray.zeros');
    return new NdArray(dtype, shape, DTYPES[dtype].create(count) as DTypeArrays[D]);
  }

  /**
   * Copies little-endian C-order `bytes` (as numpy's `tobytes()` gives them) into a fresh, aligned
   * typed array. `where` names the value in error messages.
   */
  static fromBytes<D extends DType>(
    dtype: D,
    shape: readonly number[],
    bytes: Uint8Array,
    where = 'ndarray',
  ): NdArray<D> {
    const info = DTYPES[dtype];
    const count = elementCount(shape, where);
    if (bytes.byteLength !== count * info.itemSize) {
      throw new ServeError(
        `${where}: ${info.numpy} [${shape.join(', ')}] needs ${count * info.itemSize} bytes, got ${bytes.byteLength}`,
      );
    }
    assertLittleEndianHost();
    const data = info.create(count);
    new Uint8Array(data.buffer, data.byteOffset, data.byteLength).set(bytes);
    return new NdArray(dtype, shape, data as DTypeArrays[D]);
  }

  /** numpy's `dtype.str`, e.g. `'<f4'`. */
  get numpyDtype(): string {
    return DTYPES[this.dtype].numpy;
  }

  /** The number of elements. */
  get size(): number {
    return this.data.length;
  }

  /** The elements as little-endian bytes, as numpy's `tobytes()` gives them (a view, no copy). */
  bytes(): Uint8Array {
    assertLittleEndianHost();
    return new Uint8Array(this.data.buffer, this.data.byteOffset, this.data.byteLength);
  }

  /** `dtype` and `shape` as numpy prints them, e.g. `float32 [2, 7]`, for error messages. */
  describe(): string {
    return `${this.dtype} [${this.shape.join(', ')}]`;
  }
}

/**
 * A numpy scalar (`np.generic`), e.g. `np.float32(0.5)` or `np.int64(3)`. openpi sends it as
 * `{__npgeneric__: True, data: x.item(), dtype: x.dtype.str}`, so `value` is the Python item:
 * a number for floats and small ints, a bigint for ints beyond 2^53, a boolean for `bool`.
 * (Python sends `np.float64` as a plain float, since it subclasses `float`.)
 */
export class NpScalar<D extends DType = DType> {
  readonly dtype: D;
  readonly value: number | bigint | boolean;

  /** Checks that `value` fits `dtype` (a boolean for `bool`, an integer for integer dtypes). */
  constructor(dtype: D, value: number | bigint | boolean) {
    const info = DTYPES[dtype];
    if (!info) throw new ServeError(`NpScalar: unknown dtype '${String(dtype)}'`);
    const ok =
      info.kind === 'b'
        ? typeof value === 'boolean'
        : info.kind === 'f'
          ? typeof value === 'number'
          : typeof value === 'bigint' || (typeof value === 'number' && Number.isInteger(value));
    if (!ok) throw new ServeError(`NpScalar: ${typeof value} ${String(value)} does not fit dtype ${dtype}`);
    this.dtype = dtype;
    this.value = dtype === 'float32' ? Math.fround(value as number) : value;
  }

  /** numpy's `dtype.str`, e.g. `'<f4'`. */
  get numpyDtype(): string {
    return DTYPES[this.dtype].numpy;
  }
}

/**
 * A number that must travel as a msgpack float64, as a Python `float` does. JS has one number
 * type, so `packMessage(1)` writes the int `0x01` while Python's `1.0` is `cb 3f f0 00…`;
 * wrap a value in `Float64` where the difference matters. Non-integral numbers need no wrapper.
 */
export class Float64 {
  /** Stores `value`. */
  constructor(readonly value: number) {
    if (typeof value !== 'number') throw new ServeError(`Float64: expected a number, got ${typeof value}`);
  }
}

function assertLittleEndianHost(): void {
  if (!HOST_IS_LITTLE_ENDIAN) throw new ServeError('NdArray: big-endian hosts are not supported');
}
