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

/**
 * Bytes per read, and per write: each read is split into lines at once and each write carries many lines.
 * Larger pieces (1 MiB) used no less CPU and ran slower on a busy machine: the process then computes for
 * long stretches without waiting on I/O and the scheduler favours others.
 */
const IO_CHUNK = 1 << 16;

/**
 * Reads lines in large chunks and yields them in batches (whatever one read completed). `\n` and `\r\n`
 * both end a line; a last line without a break still counts. Each read is decoded from UTF-8 once, up to
 * its last line break (a `\n` byte never occurs inside a multi-byte character).
 */
export async function* readLineBatches(input: Readable): AsyncGenerator<RawLine[]> {
  let pending: Buffer[] = []; // bytes after the last line break so far
  let line = 0;
  const split = (text: string, batch: RawLine[]) => {
    let start = 0;
    for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', start)) {
      const end = nl > start && text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
      batch.push({ line: ++line, text: text.slice(start, end) });
      start = nl + 1;
    }
    return start;
  };
  for await (const data of input as AsyncIterable<Buffer | string>) {
    const chunk = typeof data === 'string' ? Buffer.from(data) : data;
    const last = chunk.lastIndexOf(10);
    if (last === -1) {
      pending.push(chunk);
      continue;
    }
    const head = chunk.subarray(0, last + 1);
    const text = (pending.length > 0 ? Buffer.concat([...pending, head]) : head).toString('utf8');
    pending = last + 1 < chunk.length ? [chunk.subarray(last + 1)] : [];
    const batch: RawLine[] = [];
    split(text, batch);
    yield batch;
  }
  if (pending.length > 0) {
    const batch: RawLine[] = [];
    const text = Buffer.concat(pending).toString('utf8');
    const start = split(text, batch);
    if (start < text.length) {
      const end = text.charCodeAt(text.length - 1) === 13 ? text.length - 1 : text.length;
      batch.push({ line: ++line, text: text.slice(start, end) });
    }
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
  return path === undefined || path === '-' ? stdin : createReadStream(path, { highWaterMark: IO_CHUNK });
}

/** Opens `--output` or falls back to the given stdout. */
export function openOutput(path: string | undefined, stdout: Writable): Writable {
  return path === undefined || path === '-' ? stdout : createWriteStream(path);
}

/**
 * Collects output lines and writes them in pieces of about 64 KiB. One piece may be in flight while the next
 * is computed; the writer waits for the stream only before handing it another.
 */
export class LineWriter {
  private parts: string[] = [];
  private size = 0;
  private draining: Promise<unknown> | null = null;

  constructor(
    private readonly out: Writable,
    private readonly limit = IO_CHUNK,
  ) {}

  /** Queues one line (without its line break); writes a piece when enough is queued. */
  async add(text: string): Promise<void> {
    this.parts.push(text);
    this.size += text.length;
    if (this.size >= this.limit) await this.flush();
  }

  /** Writes what is queued (rejects on a stream error). */
  private async flush(): Promise<void> {
    if (this.draining !== null) {
      await this.draining;
      this.draining = null;
    }
    if (this.parts.length === 0) return;
    const text = `${this.parts.join('\n')}\n`;
    this.parts = [];
    this.size = 0;
    if (!this.out.write(text)) this.draining = once(this.out, 'drain');
  }

  /** Writes what is queued and waits until the stream has taken it. */
  async finish(): Promise<void> {
    await this.flush();
    if (this.draining !== null) await this.draining;
    this.draining = null;
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
