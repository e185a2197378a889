/**
 * Thrown for what the policy protocol cannot carry or does not expect: a malformed frame, an unsupported
 * dtype, an observation or action chunk of the wrong shape, a server that cannot be reached or fails.
 * The message says what was expected, what came, and where (the key, the URL, the path in the message).
 */
export class ServeError extends Error {
  override readonly name = 'ServeError';
}
