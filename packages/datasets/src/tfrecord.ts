import { readFile } from 'node:fs/promises';
import { maskedCrc32c } from './crc32c.js';
import { DatasetError } from './errors.js';

/** One TFRecord: its payload and the byte offset of its frame in the file. */
export interface TfRecord {
  readonly offset: number;
  readonly data: Uint8Array;
}

/** Options for {@link parseTfRecords}. */
export interface TfRecordReadOptions {
  /** Verify both masked CRC-32C checksums of every record (default true). */
  readonly verifyCrc?: boolean;
}

const HEADER_BYTES = 12; // uint64 length LE + uint32 masked CRC of the length bytes
const FOOTER_BYTES = 4; // uint32 masked CRC of the data

/**
 * Splits TFRecord framing: `uint64 length (LE)`, `uint32 masked_crc32c(length bytes)`, `data`,
 * `uint32 masked_crc32c(data)`, repeated. `source` names the file in errors.
 */
export function* iterateTfRecords(
  bytes: Uint8Array,
  source: string,
  options: TfRecordReadOptions = {},
): Generator<TfRecord> {
  const verify = options.verifyCrc ?? true;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let offset = 0;
  let recordNumber = 0;
  while (offset < bytes.length) {
    const where = `${source}: record ${recordNumber} at byte offset ${offset}`;
    if (bytes.length - offset < HEADER_BYTES) {
      throw new DatasetError(
        `${where}: truncated header, ${bytes.length - offset} bytes left, need ${HEADER_BYTES}`,
      );
    }
    const length64 = view.getBigUint64(offset, true);
    if (verify) {
      const stored = view.getUint32(offset + 8, true);
      const computed = maskedCrc32c(bytes.subarray(offset, offset + 8));
      if (stored !== computed)
        throw new DatasetError(`${where}: length CRC mismatch (${crcPair(stored, computed)})`);
    }
    const available = bytes.length - offset - HEADER_BYTES - FOOTER_BYTES;
    if (length64 > BigInt(Math.max(available, 0))) {
      throw new DatasetError(
        `${where}: truncated record, length field says ${length64} bytes but ${available} remain`,
      );
    }
    const length = Number(length64);
    const dataStart = offset + HEADER_BYTES;
    const data = bytes.subarray(dataStart, dataStart + length);
    if (verify) {
      const stored = view.getUint32(dataStart + length, true);
      const computed = maskedCrc32c(data);
      if (stored !== computed) {
        throw new DatasetError(
          `${where}: data CRC mismatch over bytes ${dataStart}..${dataStart + length} (${crcPair(stored, computed)})`,
        );
      }
    }
    yield { offset, data };
    offset = dataStart + length + FOOTER_BYTES;
    recordNumber++;
  }
}

/** All records of a TFRecord byte buffer (see {@link iterateTfRecords}). */
export function parseTfRecords(
  bytes: Uint8Array,
  source: string,
  options: TfRecordReadOptions = {},
): TfRecord[] {
  return [...iterateTfRecords(bytes, source, options)];
}

/** Reads a whole uncompressed TFRecord file (GZIP/ZLIB-compressed shards are not supported). */
export async function readTfRecordFile(path: string, options: TfRecordReadOptions = {}): Promise<TfRecord[]> {
  const bytes = new Uint8Array(await readFile(path));
  return parseTfRecords(bytes, path, options);
}

function crcPair(stored: number, computed: number): string {
  return `stored 0x${stored.toString(16).padStart(8, '0')}, computed 0x${computed.toString(16).padStart(8, '0')}`;
}
