import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import writeFileAtomicImpl from 'write-file-atomic';

/**
 * Writes a file atomically: creates the parent folders, writes a temporary file in the same folder,
 * fsyncs it, then renames it over `path`. Readers see the old file or the new one, never half of one;
 * on failure the temporary file is removed and the previous file is left as it was.
 *
 * Built on the `write-file-atomic` library (which also serializes concurrent writes to one path and
 * removes the temporary file if the process exits mid-write).
 *
 * @param path - the file to write.
 * @param data - text (written as UTF-8) or bytes.
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
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
