import { once } from 'node:events';
import { createReadStream, createWriteStream } from 'node:fs';
import type { Readable, Writable } from 'node:stream';
import { FastTokenizerError } from '../errors.js';

/** One input line: its 1-based number and its text without the line break. */
export interface RawLine {
  readonly line: number;
  readonly text: string;
}

/** One parsed input line with its 1-based line number. */
export interface JsonLine {
  readonly line: number;
  readonly value: Record<string, unknown>;
}

/** Bytes per read from a file: large reads, so that a line costs a slice of a string rather than a read. */
const READ_CHUNK = 1 << 20;

/**
 * Reads lines in large chunks and yields them in batches (whatever one read completed). `\n` and `\r\n`
 * both end a line; a last line without a break still counts.
 */
export async function* readLineBatches(input: Readable): AsyncGenerator<RawLine[]> {
  input.setEncoding('utf8');
  let pending: string[] = []; // pieces of a line longer than one read
  let line = 0;
  const take = (text: string, batch: RawLine[]) => {
    const end = text.length > 0 && text.charCodeAt(text.length - 1) === 13 ? text.length - 1 : text.length;
    batch.push({ line: ++line, text: end === text.length ? text : text.slice(0, end) });
  };
  for await (const chunk of input as AsyncIterable<string>) {
    let nl = chunk.indexOf('\n');
    if (nl === -1) {
      pending.push(chunk);
      continue;
    }
    const batch: RawLine[] = [];
    take(pending.length > 0 ? pending.join('') + chunk.slice(0, nl) : chunk.slice(0, nl), batch);
    pending = [];
    let start = nl + 1;
    for (nl = chunk.indexOf('\n', start); nl !== -1; nl = chunk.indexOf('\n', start)) {
      take(chunk.slice(start, nl), batch);
      start = nl + 1;
    }
    if (start < chunk.length) pending.push(chunk.slice(start));
    yield batch;
  }
  if (pending.length > 0) {
    const batch: RawLine[] = [];
    take(pending.join(''), batch);
    yield batch;
  }
}

/** Whether a line holds only white space. */
export const isBlank = (text: string): boolean => text.length === 0 || text.trim() === '';

/** Parses one line as a JSON object; a failure throws a {@link FastTokenizerError} naming the line. */
export function parseJsonObject({ line, text }: RawLine): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new FastTokenizerError(`line ${line}: not valid JSON (${(err as Error).message})`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new FastTokenizerError(`line ${line}: expected a JSON object`);
  }
  return value as Record<string, unknown>;
}

/** Reads JSON Lines, skipping blank lines; a line that is not a JSON object throws naming its number. */
export async function* readJsonLines(input: Readable): AsyncGenerator<JsonLine> {
  for await (const batch of readLineBatches(input)) {
    for (const raw of batch) {
      if (!isBlank(raw.text)) yield { line: raw.line, value: parseJsonObject(raw) };
    }
  }
}

/** Opens `--input` or falls back to the given stdin. */
export function openInput(path: string | undefined, stdin: Readable): Readable {
  return path === undefined || path === '-' ? stdin : createReadStream(path, { highWaterMark: READ_CHUNK });
}

/** Opens `--output` or falls back to the given stdout. */
export function openOutput(path: string | undefined, stdout: Writable): Writable {
  return path === undefined || path === '-' ? stdout : createWriteStream(path);
}

/** Collects output lines and writes them in large pieces, waiting when the stream asks for backpressure. */
export class LineWriter {
  private parts: string[] = [];
  private size = 0;

  constructor(
    private readonly out: Writable,
    private readonly limit = READ_CHUNK,
  ) {}

  /** Queues one line (without its line break). */
  add(text: string): void {
    this.parts.push(text);
    this.size += text.length;
  }

  /** Whether enough is queued to be worth a write. */
  get full(): boolean {
    return this.size >= this.limit;
  }

  /** Writes what is queued; resolves once the stream can take more (rejects on a stream error). */
  async flush(): Promise<void> {
    if (this.parts.length === 0) return;
    const text = `${this.parts.join('\n')}\n`;
    this.parts = [];
    this.size = 0;
    if (!this.out.write(text)) await once(this.out, 'drain');
  }
}

/** Ends a stream that is not the process's stdout, waiting until it is flushed. */
export async function closeOutput(out: Writable, stdout: Writable): Promise<void> {
  if (out === stdout) return;
  await new Promise<void>((resolve, reject) => {
    out.once('error', reject);
    out.end(resolve);
  });
}
