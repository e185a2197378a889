/**
 * Thrown for data that cannot be read or written: a malformed file, a missing column, an episode whose
 * arrays disagree with its shape, bad options. The message says what was expected, what came, and where
 * (a file, a record number, an episode index).
 */
export class DatasetError extends Error {
  override readonly name = 'DatasetError';
}
