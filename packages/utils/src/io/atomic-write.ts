import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import writeFileAtomicImpl from 'write-file-atomic';

/**
 * Largest single write: Node's `fs.write` takes at most 2³¹ − 1 bytes, so `write-file-atomic`, which writes a
 * buffer in one call, fails on larger ones (a 3.07 GB ONNX export: `ERR_OUT_OF_RANGE`).
 */
const MAX_CHUNK_BYTES = 2 ** 30;

/** Options of {@link writeFileAtomic}. */
export interface AtomicWriteOptions {
  /** Bytes per write call for data larger than this (default and maximum 1 GiB); tests set it small. */
  chunkBytes?: number;
}

/** The same temporary-file, fsync, rename protocol for bytes too large for one write call. */
async function writeChunkedAtomic(path: string, data: Uint8Array, chunkBytes: number): Promise<void> {
  const temporary = join(
    dirname(path),
    `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`,
  );
  try {
    const file = await open(temporary, 'w');
    try {
      for (let at = 0; at < data.byteLength; ) {
        const { bytesWritten } = await file.write(data, at, Math.min(chunkBytes, data.byteLength - at));
        at += bytesWritten;
      }
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(temporary, path);
  } catch (err) {
    await rm(temporary, { force: true });
    throw err;
  }
}

/**
 * Writes a file atomically: creates the parent folders, writes a temporary file in the same folder,
 * fsyncs it, then renames it over `path`. Readers see the old file or the new one, never half of one;
 * on failure the temporary file is removed and the previous file is left as it was.
 *
 * Built on the `write-file-atomic` library (which also serializes concurrent writes to one path and
 * removes the temporary file if the process exits mid-write).
 *
 * Bytes larger than one write call allows (over 1 GiB) are written in chunks by the same protocol.
 *
 * @param path - the file to write.
 * @param data - text (written as UTF-8) or bytes.
 * @param options - see {@link AtomicWriteOptions}.
 */
export async function writeFileAtomic(
  path: string,
  data: string | Uint8Array,
  options: AtomicWriteOptions = {},
): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const chunkBytes = options.chunkBytes ?? MAX_CHUNK_BYTES;
  if (!(Number.isInteger(chunkBytes) && chunkBytes > 0 && chunkBytes <= MAX_CHUNK_BYTES))
    throw new RangeError(
      `writeFileAtomic: chunkBytes must be an integer in [1, ${MAX_CHUNK_BYTES}], got ${chunkBytes}`,
    );
  if (typeof data !== 'string' && data.byteLength > chunkBytes) {
    await writeChunkedAtomic(path, data, chunkBytes);
    return;
  }
  // The library writes `data.length` items of a view; a Buffer over the same bytes keeps that a byte count.
  const body = typeof data === 'string' ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  await writeFileAtomicImpl(path, body);
}

/**
 * Writes `JSON.stringify(value)` atomically (see {@link writeFileAtomic}).
 *
 * @param path - the file to write.
 * @param value - anything `JSON.stringify` accepts.
 */
export async function writeJsonAtomic(path: string, value: unknown): Promise<void> {
  await writeFileAtomic(path, JSON.stringify(value));
}
