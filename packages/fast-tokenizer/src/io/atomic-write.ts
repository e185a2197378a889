import writeFileAtomicImpl from 'write-file-atomic';

/**
 * Writes a file atomically: a temporary file beside it, fsynced, then a rename, so readers never see half a
 * file and a failed write leaves the previous file as it was. Uses the `write-file-atomic` library rather
 * than `@roboalign/utils`, because this package depends on nothing of ours at run time.
 */
export async function writeFileAtomic(path: string, contents: string | Uint8Array): Promise<void> {
  // The library writes `data.length` items of a view; a Buffer over the same bytes keeps that a byte count.
  const body =
    typeof contents === 'string'
      ? contents
      : Buffer.from(contents.buffer, contents.byteOffset, contents.byteLength);
  await writeFileAtomicImpl(path, body);
}
