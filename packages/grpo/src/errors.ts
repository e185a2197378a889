/** Thrown for inputs the GRPO functions cannot use; the message names the row, token or option. */
export class GrpoError extends Error {
  override readonly name = 'GrpoError';
}
