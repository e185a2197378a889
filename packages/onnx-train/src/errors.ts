/** Thrown when a graph cannot be built, differentiated or run; the message names the op and the shapes. */
export class GraphError extends Error {
  override readonly name = 'GraphError';
}
