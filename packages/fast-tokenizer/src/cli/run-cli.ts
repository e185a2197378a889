import { writeFile } from 'node:fs/promises';
import type { Readable, Writable } from 'node:stream';
import { parseArgs } from 'node:util';
import { type ActionChunkInput, toActionChunk } from '../chunk.js';
import { FastTokenizerError } from '../errors.js';
import type { DecodeFailurePolicy } from '../fast-tokenizer.js';
import { fitFastTokenizer } from '../fit.js';
import { loadFastTokenizer, saveFastTokenizer } from '../io/hf-layout.js';
import { computeNormStats } from '../normalize.js';
import { formatRows, MAX_PRECISION } from './format-numbers.js';
import {
  closeOutput,
  isBlank,
  LineWriter,
  openInput,
  openOutput,
  parseJsonObject,
  type RawLine,
  readJsonLines,
  readLineBatches,
} from './json-lines.js';

/** The streams the CLI talks to; tests pass their own. */
export interface CliIo {
  stdin: Readable;
  stdout: Writable;
  stderr: Writable;
}

const USAGE = `Usage: roboalign-fast <command> [options]

Commands (JSON Lines in and out; --input/--output default to stdin/stdout):
  encode --tokenizer DIR              {"actions": [[...], ...]}  ->  {"ids": [...]}
  decode --tokenizer DIR --horizon T --dim D [--on-error zeros|pad|throw] [--precision N]
                                      {"ids": [...]}  ->  {"actions": [[...]], "ok": true|false}
                                      (full float64 precision unless --precision N: N decimals)
  fit --output DIR [--scale 10] [--vocab-size 1024] [--alphabet code-points|bytes]
      [--min-frequency 2] [--time-horizon T] [--action-dim D]
                                      {"actions": ...} lines  ->  a tokenizer directory
  stats [--output FILE]               {"actions": ...} lines  ->  per-dimension statistics JSON

Options:
  --input FILE     read from FILE instead of stdin
  --output FILE    write to FILE instead of stdout (a directory for fit)
  --keep-going     write {"error": "line N: ..."} for each bad line (blank or not JSON included) and
                   go on, one output line per input line; exit 1 at the end if any failed (encode, decode)
  --help           show this help
`;

const OPTIONS = {
  tokenizer: { type: 'string' },
  input: { type: 'string' },
  output: { type: 'string' },
  horizon: { type: 'string' },
  dim: { type: 'string' },
  'on-error': { type: 'string' },
  precision: { type: 'string' },
  scale: { type: 'string' },
  'vocab-size': { type: 'string' },
  alphabet: { type: 'string' },
  'min-frequency': { type: 'string' },
  'time-horizon': { type: 'string' },
  'action-dim': { type: 'string' },
  'keep-going': { type: 'boolean' },
  help: { type: 'boolean' },
} as const;

type Values = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>['values'];

function numberOption(values: Values, name: keyof Values, integer: boolean): number | undefined {
  const raw = values[name];
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (
    typeof raw !== 'string' ||
    raw.trim() === '' ||
    !Number.isFinite(n) ||
    (integer && !Number.isInteger(n))
  ) {
    throw new FastTokenizerError(
      `--${name} must be ${integer ? 'an integer' : 'a number'}, got ${String(raw)}`,
    );
  }
  return n;
}

function required<T>(value: T | undefined, flag: string, command: string): T {
  if (value === undefined) throw new FastTokenizerError(`${command} needs --${flag}`);
  return value;
}

function field(value: Record<string, unknown>, key: string, line: number): unknown {
  if (!(key in value)) throw new FastTokenizerError(`line ${line}: missing "${key}"`);
  return value[key];
}

function lineError(err: unknown, line: number): string {
  const message = err instanceof Error ? err.message : String(err);
  return message.startsWith('line ') ? message : `line ${line}: ${message.replace(/^chunk \d+: /, '')}`;
}

/**
 * Maps each input line to one output line. Without `--keep-going` the first bad line stops the run (the lines
 * before it are written). With it, every input line gets exactly one output line, `errorLine(message)` for
 * a bad one (a blank line included), and the run fails at the end when any line did.
 */
async function mapLines(
  values: Values,
  io: CliIo,
  transform: (raw: RawLine) => string,
  errorLine: (message: string) => string,
): Promise<void> {
  const keepGoing = values['keep-going'] === true;
  const out = openOutput(values.output, io.stdout);
  const writer = new LineWriter(out);
  let lines = 0;
  let failed = 0;
  let firstFailure = '';
  try {
    for await (const batch of readLineBatches(openInput(values.input, io.stdin))) {
      for (const raw of batch) {
        lines++;
        let text: string;
        try {
          if (isBlank(raw.text)) {
            if (!keepGoing) continue;
            throw new FastTokenizerError(`line ${raw.line}: empty line`);
          }
          text = transform(raw);
        } catch (err) {
          const message = lineError(err, raw.line);
          if (!keepGoing) {
            await writer.finish();
            throw new FastTokenizerError(message);
          }
          failed++;
          if (failed === 1) firstFailure = message;
          text = errorLine(message);
        }
        await writer.add(text);
      }
    }
    await writer.finish();
  } finally {
    await closeOutput(out, io.stdout);
  }
  if (failed > 0) {
    throw new FastTokenizerError(
      `${failed} of ${lines} lines failed (each has an error line); the first: ${firstFailure}`,
    );
  }
}

const flatBuffers = new Map<number, Float64Array>();

/**
 * A regular `[T, D]` array of numbers copied into a reused row-major buffer (the tokenizer then allocates
 * no copy of its own); anything else as it came, so that the tokenizer's checks name what is wrong.
 */
function flatChunk(actions: unknown): ActionChunkInput {
  if (!Array.isArray(actions) || actions.length === 0 || !Array.isArray(actions[0])) {
    return actions as ActionChunkInput;
  }
  const horizon = actions.length;
  const dim = (actions[0] as unknown[]).length;
  let data = flatBuffers.get(horizon * dim);
  if (data === undefined) {
    data = new Float64Array(horizon * dim);
    flatBuffers.set(horizon * dim, data);
  }
  for (let t = 0; t < horizon; t++) {
    const row: unknown = actions[t];
    if (!Array.isArray(row) || row.length !== dim) return actions as ActionChunkInput;
    for (let d = 0; d < dim; d++) {
      const v: unknown = row[d];
      if (typeof v !== 'number') return actions as ActionChunkInput;
      data[t * dim + d] = v;
    }
  }
  return { data, horizon, dim };
}

async function encodeCommand(values: Values, io: CliIo): Promise<void> {
  const tokenizer = await loadFastTokenizer(required(values.tokenizer, 'tokenizer', 'encode'));
  await mapLines(
    values,
    io,
    (raw) => {
      const actions = field(parseJsonObject(raw), 'actions', raw.line);
      return `{"ids":[${tokenizer.encode(flatChunk(actions)).join(',')}]}`;
    },
    (message) => JSON.stringify({ error: message }),
  );
}

async function decodeCommand(values: Values, io: CliIo): Promise<void> {
  const tokenizer = await loadFastTokenizer(required(values.tokenizer, 'tokenizer', 'decode'));
  const horizon = numberOption(values, 'horizon', true) ?? tokenizer.config.timeHorizon ?? undefined;
  const dim = numberOption(values, 'dim', true) ?? tokenizer.config.actionDim ?? undefined;
  const precision = numberOption(values, 'precision', true);
  if (precision !== undefined && !(precision >= 0 && precision <= MAX_PRECISION)) {
    throw new FastTokenizerError(
      `--precision must be an integer from 0 to ${MAX_PRECISION}, got ${precision}`,
    );
  }
  const onError = (values['on-error'] ?? 'zeros') as DecodeFailurePolicy;
  if (!['zeros', 'pad', 'throw'].includes(onError)) {
    throw new FastTokenizerError(`--on-error must be zeros, pad or throw, got ${onError}`);
  }
  const shape = { horizon: required(horizon, 'horizon', 'decode'), dim: required(dim, 'dim', 'decode') };
  const options = { ...shape, onError };
  await mapLines(
    values,
    io,
    (raw) => {
      const ids = field(parseJsonObject(raw), 'ids', raw.line);
      if (!Array.isArray(ids)) throw new FastTokenizerError(`"ids" must be an array of integers`);
      const result = tokenizer.decode([ids as number[]], options);
      const actions = formatRows(result.actions[0], shape.horizon, shape.dim, precision);
      return result.ok[0]
        ? `{"actions":${actions},"ok":true}`
        : `{"actions":${actions},"ok":false,"error":${JSON.stringify(`line ${raw.line}: ${result.failures[0].reason}`)}}`;
    },
    (message) => JSON.stringify({ ok: false, error: message }),
  );
}

async function readChunks(values: Values, io: CliIo) {
  const chunks = [];
  for await (const { line, value } of readJsonLines(openInput(values.input, io.stdin))) {
    try {
      chunks.push(toActionChunk(field(value, 'actions', line) as Parameters<typeof toActionChunk>[0]));
    } catch (err) {
      throw new FastTokenizerError(lineError(err, line));
    }
  }
  if (chunks.length === 0)
    throw new FastTokenizerError('no input chunks: expected lines of {"actions": [[...]]}');
  return chunks;
}

async function fitCommand(values: Values, io: CliIo): Promise<void> {
  const outDir = required(values.output, 'output', 'fit');
  const alphabet = values.alphabet ?? 'code-points';
  if (alphabet !== 'code-points' && alphabet !== 'bytes') {
    throw new FastTokenizerError(`--alphabet must be code-points or bytes, got ${alphabet}`);
  }
  const chunks = await readChunks(values, io);
  // Loaded here: encode and decode start faster without the progress bar's dependencies.
  const { createProgress } = await import('./progress.js');
  const progress = createProgress(io.stderr, chunks.length >= 1000);
  try {
    const tokenizer = fitFastTokenizer(chunks, {
      scale: numberOption(values, 'scale', false),
      vocabSize: numberOption(values, 'vocab-size', true),
      minFrequency: numberOption(values, 'min-frequency', true),
      timeHorizon: numberOption(values, 'time-horizon', true),
      actionDim: numberOption(values, 'action-dim', true),
      alphabet,
      onProgress: progress.update,
    });
    progress.stop();
    await saveFastTokenizer(tokenizer, outDir);
    io.stderr.write(
      `fitted ${tokenizer.bpe.vocabSize} tokens on ${chunks.length} chunks (min_token ${tokenizer.config.minToken}); saved to ${outDir}\n`,
    );
  } finally {
    progress.stop();
  }
}

async function statsCommand(values: Values, io: CliIo): Promise<void> {
  const chunks = await readChunks(values, io);
  const dim = chunks[0].dim;
  const rows: number[] = [];
  chunks.forEach((chunk, i) => {
    if (chunk.dim !== dim)
      throw new FastTokenizerError(`chunk ${i} has ${chunk.dim} dimensions, chunk 0 has ${dim}`);
    for (let j = 0; j < chunk.data.length; j++) rows.push(chunk.data[j]);
  });
  const json = `${JSON.stringify(computeNormStats(rows, dim), null, 2)}\n`;
  if (values.output === undefined || values.output === '-') io.stdout.write(json);
  else await writeFile(values.output, json);
}

const COMMANDS: Record<string, (values: Values, io: CliIo) => Promise<void>> = {
  encode: encodeCommand,
  decode: decodeCommand,
  fit: fitCommand,
  stats: statsCommand,
};

/**
 * Runs `roboalign-fast` with the given arguments. Returns the exit code: 0 on success, 1 on bad input
 * (the message, naming the line, goes to stderr without a stack trace), 2 on bad usage.
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  let parsed: ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>;
  try {
    parsed = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: true });
  } catch (err) {
    io.stderr.write(`roboalign-fast: ${(err as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const [command, ...extra] = parsed.positionals;
  if (parsed.values.help || command === undefined || command === 'help') {
    (parsed.values.help || command === 'help' ? io.stdout : io.stderr).write(USAGE);
    return parsed.values.help || command === 'help' ? 0 : 2;
  }
  const run = COMMANDS[command];
  if (!run || extra.length > 0) {
    io.stderr.write(`roboalign-fast: unknown command ${[command, ...extra].join(' ')}\n\n${USAGE}`);
    return 2;
  }
  try {
    await run(parsed.values, io);
    return 0;
  } catch (err) {
    if (err instanceof FastTokenizerError || (err as NodeJS.ErrnoException).code !== undefined) {
      io.stderr.write(`roboalign-fast ${command}: ${(err as Error).message}\n`);
      return 1;
    }
    throw err;
  }
}
