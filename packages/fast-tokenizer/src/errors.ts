/**
 * Thrown for input that cannot be tokenized or detokenized: ragged or non-finite chunks, bad ids,
 * a missing or corrupt tokenizer directory. The message names what was expected, what came, and where.
 */
export class FastTokenizerError extends Error {
  override readonly name = 'FastTokenizerError';
  /** Index of the chunk (or input line, 0-based) the error is about, when there is one. */
  readonly index: number | undefined;

  constructor(message: string, index?: number) {
    super(index === undefined ? message : `chunk ${index}: ${message}`);
    this.index = index;
  }
}
