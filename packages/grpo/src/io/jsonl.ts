import { appendFile, mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

/** Appends one JSON object per line to `path` (creating its folder); pass as `onMetrics`. */
export function jsonlWriter(path: string): (record: Record<string, number>) => Promise<void> {
  let ready: Promise<unknown> | null = null;
  return async (record) => {
    ready ??= mkdir(dirname(path), { recursive: true });
    await ready;
    await appendFile(path, `${JSON.stringify(record)}\n`);
  };
}

/** Writes JSON atomically (temporary file, then rename), for checkpoint hooks. */
export async function writeJsonAtomic(path: string, value: unknown): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.${Date.now()}.tmp`;
  try {
    await writeFile(tmp, JSON.stringify(value));
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}
