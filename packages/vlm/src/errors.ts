/** A fault in a model, a tokenizer folder, a dataset or an argument of `@roboalign/vlm`; the message says what and where. */
export class VlmError extends Error {
  override readonly name = 'VlmError';
}
