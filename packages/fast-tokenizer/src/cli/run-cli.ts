import { writeFile } from 'node:fs/promises';
import type { Readable, Writable } from 'node:stream';
import { parseArgs } from 'node:util';
import { toActionChunk, toRows } from '../chunk.js';
import { FastTokenizerError } from '../errors.js';
import type { DecodeFailurePolicy, FastTokenizer } from '../fast-tokenizer.js';
import { fitFastTokenizer } from '../fit.js';
import { loadFastTokenizer, saveFastTokenizer } from '../io/hf-layout.js';
import { computeNormStats } from '../normalize.js';
import { closeOutput, openInput, openOutput, readJsonLines, writeLine } from './json-lines.js';
import { createProgress } from './progress.js';

/** The streams the CLI talks to; tests pass their own. */
export interface CliIo {
  stdin: Readable;
  stdout: Writable;
  stderr: Writable;
}

const USAGE = `Usage: roboalign-fast <command> [options]

Commands (JSON Lines in and out; --input/--output default to stdin/stdout):
  encode --tokenizer DIR              {"actions": [[...], ...]}  ->  {"ids": [...]}
  decode --tokenizer DIR --horizon T --dim D [--on-error zeros|pad|throw]
                                      {"ids": [...]}  ->  {"actions": [[...]], "ok": true|false}
  fit --output DIR [--scale 10] [--vocab-size 1024] [--alphabet code-points|bytes]
      [--min-frequency 2] [--time-horizon T] [--action-dim D]
                                      {"actions": ...} lines  ->  a tokenizer directory
  stats [--output FILE]               {"actions": ...} lines  ->  per-dimension statistics JSON

Options:
  --input FILE     read from FILE instead of stdin
  --output FILE    write to FILE instead of stdout (a directory for fit)
  --keep-going     on a bad line, write {"error": "..."} and continue (encode, decode)
  --help           show this help
`;

const OPTIONS = {
  tokenizer: { type: 'string' },
  input: { type: 'string' },
  output: { type: 'string' },
  horizon: { type: 'string' },
  dim: { type: 'string' },
  'on-error': { type: 'string' },
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

async function encodeCommand(values: Values, io: CliIo): Promise<void> {
  const tokenizer = await loadFastTokenizer(required(values.tokenizer, 'tokenizer', 'encode'));
  const out = openOutput(values.output, io.stdout);
  try {
    for await (const { line, value } of readJsonLines(openInput(values.input, io.stdin))) {
      try {
        const actions = field(value, 'actions', line) as Parameters<FastTokenizer['encode']>[0];
        await writeLine(out, JSON.stringify({ ids: Array.from(tokenizer.encode(actions)) }));
      } catch (err) {
        if (!values['keep-going']) throw new FastTokenizerError(lineError(err, line));
        await writeLine(out, JSON.stringify({ error: lineError(err, line) }));
      }
    }
  } finally {
    await closeOutput(out, io.stdout);
  }
}

async function decodeCommand(values: Values, io: CliIo): Promise<void> {
  const tokenizer = await loadFastTokenizer(required(values.tokenizer, 'tokenizer', 'decode'));
  const horizon = numberOption(values, 'horizon', true) ?? tokenizer.config.timeHorizon ?? undefined;
  const dim = numberOption(values, 'dim', true) ?? tokenizer.config.actionDim ?? undefined;
  const onError = (values['on-error'] ?? 'zeros') as DecodeFailurePolicy;
  if (!['zeros', 'pad', 'throw'].includes(onError)) {
    throw new FastTokenizerError(`--on-error must be zeros, pad or throw, got ${onError}`);
  }
  const shape = { horizon: required(horizon, 'horizon', 'decode'), dim: required(dim, 'dim', 'decode') };
  const out = openOutput(values.output, io.stdout);
  try {
    for await (const { line, value } of readJsonLines(openInput(values.input, io.stdin))) {
      try {
        const ids = field(value, 'ids', line);
        if (!Array.isArray(ids)) throw new FastTokenizerError(`"ids" must be an array of integers`);
        const result = tokenizer.decode([ids as number[]], { ...shape, onError });
        const record: Record<string, unknown> = {
          actions: toRows(result.actions[0], shape.horizon, shape.dim),
          ok: result.ok[0],
        };
        if (!result.ok[0]) record.error = `line ${line}: ${result.failures[0].reason}`;
        await writeLine(out, JSON.stringify(record));
      } catch (err) {
        if (!values['keep-going']) throw new FastTokenizerError(lineError(err, line));
        await writeLine(out, JSON.stringify({ ok: false, error: lineError(err, line) }));
      }
    }
  } finally {
    await closeOutput(out, io.stdout);
  }
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
