import { ServeError } from './errors.js';
/**
 * A msgpack encoder that writes the bytes Python's `msgpack.packb` (msgpack ≥ 1.0, `use_bin_type=True`)
 * writes for the corresponding Python value: smallest int format (unsigned formats for non-negative
 * ints, as Python's packer picks them), float64 for floats, str8/16/32 for strings, bin8/16/32 for
 * bytes, maps in insertion order. msgpackr cannot express two of these (ints beyond 32 bits become
 * float64, an integral float cannot be forced to float64) without a process-wide extension hook,
 * hence this small writer; decoding uses msgpackr.
 */

/** Converts a value the writer does not know into one it does (Python's `default=` hook), or returns `undefined`. */
export type MsgpackDefault = (value: object) => unknown;

/** A number that is written as float64 even when integral (see `Float64` in ndarray.ts). */
export interface Float64Marker {
  readonly value: number;
}

/** Options of `encodeMsgpack`. */
export interface MsgpackWriterOptions {
  /** Called for objects other than plain objects, arrays, Maps and byte arrays; its result is written instead. */
  readonly default?: MsgpackDefault;
  /** Recognises float64 markers. */
  readonly isFloat64?: (value: object) => value is Float64Marker;
  /** Nesting limit; deeper values (or cycles) are an error. */
  readonly maxDepth?: number;
}

const SCRATCH_BYTES = 16 * 1024;
// Byte strings at least this long are kept by reference and copied once, into the final message.
const LARGE_BYTES = 1024;
const DEFAULT_MAX_DEPTH = 512;
const textEncoder = new TextEncoder();

// One scratch buffer serves every call (its content is copied out by `finish`); a nested call gets its own.
let sharedScratch: Uint8Array | undefined = new Uint8Array(SCRATCH_BYTES);

/** Small writes go to a scratch buffer; large byte strings are referenced, so each byte is copied once. */
class ByteWriter {
  private readonly parts: Uint8Array[] = [];
  private partsLength = 0;
  private readonly shared: Uint8Array | undefined;
  bytes: Uint8Array;
  view: DataView;
  length = 0;

  constructor() {
    this.shared = sharedScratch;
    sharedScratch = undefined;
    this.bytes = this.shared ?? new Uint8Array(SCRATCH_BYTES);
    this.view = new DataView(this.bytes.buffer);
  }

  /** Hands the shared scratch back; call once, when done (also after an error). */
  release(): void {
    if (this.shared) sharedScratch = this.shared;
  }

  reserve(extra: number): void {
    if (this.length + extra <= this.bytes.length) return;
    this.flushScratch();
    if (extra > this.bytes.length) {
      this.bytes = new Uint8Array(extra);
      this.view = new DataView(this.bytes.buffer);
    }
  }

  private flushScratch(): void {
    if (this.length === 0) return;
    this.parts.push(this.bytes.subarray(0, this.length));
    this.partsLength += this.length;
    this.bytes = new Uint8Array(Math.max(SCRATCH_BYTES, this.bytes.length));
    this.view = new DataView(this.bytes.buffer);
    this.length = 0;
  }

  u8(value: number): void {
    this.reserve(1);
    this.bytes[this.length++] = value;
  }

  u8u8(tag: number, value: number): void {
    this.reserve(2);
    this.bytes[this.length++] = tag;
    this.bytes[this.length++] = value;
  }

  u8u16(tag: number, value: number): void {
    this.reserve(3);
    this.bytes[this.length] = tag;
    this.view.setUint16(this.length + 1, value);
    this.length += 3;
  }

  u8u32(tag: number, value: number): void {
    this.reserve(5);
    this.bytes[this.length] = tag;
    this.view.setUint32(this.length + 1, value);
    this.length += 5;
  }

  raw(data: Uint8Array): void {
    if (data.length >= LARGE_BYTES) {
      this.flushScratch();
      this.parts.push(data);
      this.partsLength += data.length;
      return;
    }
    this.reserve(data.length);
    this.bytes.set(data, this.length);
    this.length += data.length;
  }

  /** The whole message in one fresh array. */
  finish(): Uint8Array {
    if (this.parts.length === 0) return this.bytes.slice(0, this.length);
    const out = new Uint8Array(this.partsLength + this.length);
    let offset = 0;
    for (const part of this.parts) {
      out.set(part, offset);
      offset += part.length;
    }
    out.set(this.bytes.subarray(0, this.length), offset);
    return out;
  }
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'object') return value.constructor?.name ?? 'Object (null prototype)';
  return typeof value;
}

function pathText(path: readonly unknown[]): string {
  if (path.length === 0) return '<root>';
  return path
    .map((key) => (key instanceof Uint8Array ? `b'${new TextDecoder().decode(key)}'` : String(key)))
    .join('/');
}

/** Encodes `value` as msgpack the way Python's `msgpack.packb(value, default=…)` would. */
export function encodeMsgpack(value: unknown, options: MsgpackWriterOptions = {}): Uint8Array {
  const out = new ByteWriter();
  const maxDepth = options.maxDepth ?? DEFAULT_MAX_DEPTH;
  const path: unknown[] = [];

  const fail = (message: string): never => {
    throw new ServeError(`packMessage: ${message} at ${pathText(path)}`);
  };

  const writeInt = (v: number | bigint): void => {
    // Python's packer: non-negative ints take the smallest unsigned format, negative ones the smallest signed.
    if (v >= 0) {
      if (v < 0x80) out.u8(Number(v));
      else if (v <= 0xff) out.u8u8(0xcc, Number(v));
      else if (v <= 0xffff) out.u8u16(0xcd, Number(v));
      else if (v <= 0xffffffff) out.u8u32(0xce, Number(v));
      else if (BigInt(v) <= 0xffffffffffffffffn) {
        out.reserve(9);
        out.bytes[out.length] = 0xcf;
        out.view.setBigUint64(out.length + 1, BigInt(v));
        out.length += 9;
      } else fail(`integer ${v} does not fit in 64 bits`);
    } else if (v >= -0x20) out.u8(0x100 + Number(v));
    else if (v >= -0x80) out.u8u8(0xd0, 0x100 + Number(v));
    else if (v >= -0x8000) out.u8u16(0xd1, 0x10000 + Number(v));
    else if (v >= -0x80000000) out.u8u32(0xd2, 0x100000000 + Number(v));
    else if (BigInt(v) >= -0x8000000000000000n) {
      out.reserve(9);
      out.bytes[out.length] = 0xd3;
      out.view.setBigInt64(out.length + 1, BigInt(v));
      out.length += 9;
    } else fail(`integer ${v} does not fit in 64 bits`);
  };

  const writeFloat64 = (v: number): void => {
    out.reserve(9);
    out.bytes[out.length] = 0xcb;
    out.view.setFloat64(out.length + 1, v);
    out.length += 9;
  };

  const writeLengthHeader = (
    length: number,
    fix: number | null,
    fixMax: number,
    tag8: number | null,
    tag16: number,
    tag32: number,
  ): void => {
    if (fix !== null && length <= fixMax) out.u8(fix | length);
    else if (tag8 !== null && length <= 0xff) out.u8u8(tag8, length);
    else if (length <= 0xffff) out.u8u16(tag16, length);
    else if (length <= 0xffffffff) out.u8u32(tag32, length);
    else fail(`length ${length} exceeds msgpack's 2^32 - 1`);
  };

  const writeString = (v: string): void => {
    const encoded = textEncoder.encode(v);
    writeLengthHeader(encoded.length, 0xa0, 31, 0xd9, 0xda, 0xdb);
    out.raw(encoded);
  };

  const writeBinary = (v: Uint8Array): void => {
    writeLengthHeader(v.length, null, 0, 0xc4, 0xc5, 0xc6);
    out.raw(v);
  };

  const write = (v: unknown, depth: number): void => {
    if (depth > maxDepth) fail(`nesting deeper than ${maxDepth} (a cyclic value?)`);
    switch (typeof v) {
      case 'string':
        writeString(v);
        return;
      case 'boolean':
        out.u8(v ? 0xc3 : 0xc2);
        return;
      case 'number':
        // JS cannot tell 1.0 from 1: integral safe numbers go as ints, everything else (and -0) as float64.
        if (Number.isSafeInteger(v) && !Object.is(v, -0)) writeInt(v);
        else writeFloat64(v);
        return;
      case 'bigint':
        writeInt(v);
        return;
      case 'undefined':
        out.u8(0xc0);
        return;
      case 'object':
        break;
      default:
        fail(`cannot encode a ${typeof v}`);
    }
    if (v === null) {
      out.u8(0xc0);
      return;
    }
    const obj = v as object;
    if (obj instanceof Uint8Array) {
      writeBinary(obj);
      return;
    }
    if (obj instanceof ArrayBuffer) {
      writeBinary(new Uint8Array(obj));
      return;
    }
    if (Array.isArray(obj)) {
      writeLengthHeader(obj.length, 0x90, 15, null, 0xdc, 0xdd);
      for (let i = 0; i < obj.length; i++) {
        path.push(i);
        write(obj[i], depth + 1);
        path.pop();
      }
      return;
    }
    if (obj instanceof Map) {
      writeLengthHeader(obj.size, 0x80, 15, null, 0xde, 0xdf);
      for (const [key, item] of obj) {
        path.push(key);
        write(key, depth + 1);
        write(item, depth + 1);
        path.pop();
      }
      return;
    }
    if (options.isFloat64?.(obj)) {
      writeFloat64(obj.value);
      return;
    }
    const proto = Object.getPrototypeOf(obj);
    if (proto === Object.prototype || proto === null) {
      const keys = Object.keys(obj);
      writeLengthHeader(keys.length, 0x80, 15, null, 0xde, 0xdf);
      const record = obj as Record<string, unknown>;
      for (const key of keys) {
        path.push(key);
        writeString(key);
        write(record[key], depth + 1);
        path.pop();
      }
      return;
    }
    const replacement = options.default?.(obj);
    if (replacement === undefined) {
      const hint = ArrayBuffer.isView(obj) ? ' (wrap typed arrays in NdArray.from(data, shape))' : '';
      fail(`cannot encode a ${describe(obj)}${hint}`);
    }
    if (replacement === obj) fail(`the default hook returned the ${describe(obj)} unchanged`);
    write(replacement, depth + 1);
  };

  try {
    write(value, 0);
    return out.finish();
  } finally {
    out.release();
  }
}
