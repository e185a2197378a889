import { GraphError } from './errors.js';

/** Element types this reader and writer handle (safetensors names). */
export type SafetensorsDtype = 'F32' | 'F64' | 'I64' | 'U8';

/** One stored tensor. */
export interface StoredTensor {
  dtype: SafetensorsDtype;
  shape: number[];
  data: Float32Array | Float64Array | BigInt64Array | Uint8Array;
}

const BYTES: Record<SafetensorsDtype, number> = { F32: 4, F64: 8, I64: 8, U8: 1 };

/** The dtype name of a typed array. */
export function dtypeOf(data: StoredTensor['data']): SafetensorsDtype {
  if (data instanceof Float32Array) return 'F32';
  if (data instanceof Float64Array) return 'F64';
  if (data instanceof BigInt64Array) return 'I64';
  return 'U8';
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

/** Decodes a safetensors file; `source` names it in errors. */
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
  let header: Record<
    string,
    { dtype: SafetensorsDtype; shape: number[]; data_offsets: [number, number] } | Record<string, string>
  >;
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
    const {
      dtype,
      shape,
      data_offsets: [start, end],
    } = entry as { dtype: SafetensorsDtype; shape: number[]; data_offsets: [number, number] };
    if (!(dtype in BYTES)) throw new GraphError(`${source}: ${name} has unsupported dtype ${dtype}`);
    if (base + end > bytes.length || end - start !== shape.reduce((a, b) => a * b, 1) * BYTES[dtype]) {
      throw new GraphError(
        `${source}: ${name} has inconsistent offsets [${start}, ${end}] for ${dtype}[${shape.join(', ')}]`,
      );
    }
    // A copy (Node's Buffer#slice would share memory), so typed arrays start aligned.
    const copy = Uint8Array.prototype.slice.call(bytes, base + start, base + end).buffer;
    const data =
      dtype === 'F32'
        ? new Float32Array(copy)
        : dtype === 'F64'
          ? new Float64Array(copy)
          : dtype === 'I64'
            ? new BigInt64Array(copy)
            : new Uint8Array(copy);
    tensors.set(name, { dtype, shape, data });
  }
  return { tensors, metadata };
}
