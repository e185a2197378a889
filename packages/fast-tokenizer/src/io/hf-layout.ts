import { mkdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { ByteLevelBpe } from '../bpe/byte-level-bpe.js';
import { FastTokenizerError } from '../errors.js';
import { FastTokenizer, type FastTokenizerConfig } from '../fast-tokenizer.js';

/** The three JSON documents of a Hugging Face FAST tokenizer directory, parsed. */
export interface HfTokenizerFiles {
  /** `processor_config.json`: scale, min_token, vocab_size, time_horizon, action_dim. */
  readonly processorConfig: unknown;
  /** `tokenizer.json`: the byte-level BPE. */
  readonly tokenizer: unknown;
  /** `tokenizer_config.json`, if present (for `clean_up_tokenization_spaces`). */
  readonly tokenizerConfig?: unknown;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function optionalPositiveInt(obj: Record<string, unknown>, key: string, source: string): number | null {
  const v = obj[key];
  if (v === undefined || v === null) return null;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) {
    throw new FastTokenizerError(
      `${source}: "${key}" must be a positive integer or null, got ${JSON.stringify(v)}`,
    );
  }
  return v;
}

/** Builds a {@link FastTokenizer} from the parsed Hugging Face files; `source` names them in errors. */
export function fastTokenizerFromHf(files: HfTokenizerFiles, source = 'tokenizer'): FastTokenizer {
  const pc = files.processorConfig;
  const pcName = `${source}/processor_config.json`;
  if (!isRecord(pc)) throw new FastTokenizerError(`${pcName}: expected a JSON object`);
  const { scale, min_token: minToken } = pc;
  if (typeof scale !== 'number' || !Number.isFinite(scale) || scale <= 0) {
    throw new FastTokenizerError(
      `${pcName}: "scale" must be a positive number, got ${JSON.stringify(scale)}`,
    );
  }
  if (typeof minToken !== 'number' || !Number.isInteger(minToken)) {
    throw new FastTokenizerError(
      `${pcName}: "min_token" must be an integer, got ${JSON.stringify(minToken)}`,
    );
  }
  const bpe = ByteLevelBpe.fromTokenizerJson(files.tokenizer, `${source}/tokenizer.json`);
  let cleanUp = false; // transformers' default when the config does not say
  if (files.tokenizerConfig !== undefined) {
    const tc = files.tokenizerConfig;
    if (!isRecord(tc))
      throw new FastTokenizerError(`${source}/tokenizer_config.json: expected a JSON object`);
    const flag = tc.clean_up_tokenization_spaces;
    if (flag !== undefined && typeof flag !== 'boolean') {
      throw new FastTokenizerError(
        `${source}/tokenizer_config.json: "clean_up_tokenization_spaces" must be true or false, got ${JSON.stringify(flag)}`,
      );
    }
    cleanUp = flag ?? false;
  }
  const config: FastTokenizerConfig = {
    scale,
    minToken,
    vocabSize: optionalPositiveInt(pc, 'vocab_size', pcName) ?? bpe.vocabSize,
    timeHorizon: optionalPositiveInt(pc, 'time_horizon', pcName),
    actionDim: optionalPositiveInt(pc, 'action_dim', pcName),
    cleanUpTokenizationSpaces: cleanUp,
  };
  return new FastTokenizer(bpe, config);
}

/** The Hugging Face files for a tokenizer, ready to be written as JSON. */
export function fastTokenizerToHf(tokenizer: FastTokenizer): Required<HfTokenizerFiles> {
  const { config } = tokenizer;
  return {
    processorConfig: {
      action_dim: config.actionDim,
      min_token: config.minToken,
      processor_class: 'UniversalActionProcessor',
      scale: config.scale,
      time_horizon: config.timeHorizon,
      vocab_size: config.vocabSize,
    },
    tokenizer: tokenizer.bpe.toTokenizerJson(),
    tokenizerConfig: {
      added_tokens_decoder: {},
      clean_up_tokenization_spaces: config.cleanUpTokenizationSpaces,
      model_max_length: 1e30,
      processor_class: 'UniversalActionProcessor',
      tokenizer_class: 'PreTrainedTokenizerFast',
    },
  };
}

async function readJson(path: string, required: boolean): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (!required && code === 'ENOENT') return undefined;
    throw new FastTokenizerError(
      code === 'ENOENT'
        ? `missing ${path}: is this a FAST tokenizer directory?`
        : `cannot read ${path}: ${code}`,
    );
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new FastTokenizerError(`corrupt ${path}: ${(err as Error).message}`);
  }
}

/**
 * Loads a FAST tokenizer saved in the Hugging Face layout (`processor_config.json`, `tokenizer.json`,
 * optional `tokenizer_config.json`), such as the released FAST+ directory.
 */
export async function loadFastTokenizer(dir: string): Promise<FastTokenizer> {
  const info = await stat(dir).catch(() => null);
  if (info === null || !info.isDirectory()) {
    throw new FastTokenizerError(`no tokenizer directory at ${dir}`);
  }
  // Read in a fixed order so that the error for an incomplete directory is always the same.
  const processorConfig = await readJson(join(dir, 'processor_config.json'), true);
  const tokenizer = await readJson(join(dir, 'tokenizer.json'), true);
  const tokenizerConfig = await readJson(join(dir, 'tokenizer_config.json'), false);
  return fastTokenizerFromHf({ processorConfig, tokenizer, tokenizerConfig }, dir);
}

/**
 * Saves a tokenizer in the Hugging Face layout of the FAST release: `tokenizer.json` loads in the Rust
 * `tokenizers` library with identical ids (tested); `processor_config.json` carries the fields the reference
 * processor reads (scale, min_token, vocab_size, time_horizon, action_dim). Each file is written atomically.
 */
export async function saveFastTokenizer(tokenizer: FastTokenizer, dir: string): Promise<void> {
  // Loaded on first save, so that programs that only load tokenizers (the CLI's encode and decode) start faster.
  const { writeFileAtomic } = await import('./atomic-write.js');
  await mkdir(dir, { recursive: true });
  const files = fastTokenizerToHf(tokenizer);
  const json = (v: unknown) => `${JSON.stringify(v, null, 2)}\n`;
  await writeFileAtomic(join(dir, 'processor_config.json'), json(files.processorConfig));
  await writeFileAtomic(join(dir, 'tokenizer.json'), json(files.tokenizer));
  await writeFileAtomic(join(dir, 'tokenizer_config.json'), json(files.tokenizerConfig));
}
