import { createReadStream, createWriteStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { FastTokenizerError } from '../errors.js';

/** One parsed input line with its 1-based line number. */
export interface JsonLine {
  readonly line: number;
  readonly value: Record<string, unknown>;
}

/** Reads JSON Lines, skipping blank lines; a line that is not a JSON object throws naming its number. */
export async function* readJsonLines(input: Readable): AsyncGenerator<JsonLine> {
  const rl = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
  let line = 0;
  for await (const text of rl) {
    line++;
    if (text.trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (err) {
      throw new FastTokenizerError(`line ${line}: not valid JSON (${(err as Error).message})`);
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      throw new FastTokenizerError(`line ${line}: expected a JSON object`);
    }
    yield { line, value: value as Record<string, unknown> };
  }
}

/** Opens `--input` or falls back to the given stdin. */
export function openInput(path: string | undefined, stdin: Readable): Readable {
  return path === undefined || path === '-' ? stdin : createReadStream(path);
}

/** Opens `--output` or falls back to the given stdout. */
export function openOutput(path: string | undefined, stdout: Writable): Writable {
  return path === undefined || path === '-' ? stdout : createWriteStream(path);
}

/** Writes a string and waits when the stream asks for backpressure. */
export async function writeLine(out: Writable, text: string): Promise<void> {
  if (!out.write(`${text}\n`)) await new Promise<void>((resolve) => out.once('drain', resolve));
}

/** Ends a stream that is not the process's stdout, waiting until it is flushed. */
export async function closeOutput(out: Writable, stdout: Writable): Promise<void> {
  if (out === stdout) return;
  await new Promise<void>((resolve, reject) => {
    out.once('error', reject);
    out.end(resolve);
  });
}
