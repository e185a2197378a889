import { appendFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';

/**
 * Appends `value` as one line of JSON to `path` (JSON Lines), creating the parent folders.
 *
 * @param path - the `.jsonl` file.
 * @param value - anything `JSON.stringify` accepts; it must not be `undefined`.
 */
export async function appendJsonl(path: string, value: unknown): Promise<void> {
  const line = JSON.stringify(value);
  if (line === undefined) throw new TypeError(`appendJsonl(${path}): the value has no JSON form`);
  await mkdir(dirname(path), { recursive: true });
  await appendFile(path, `${line}\n`);
}
