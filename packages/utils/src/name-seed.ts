const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/**
 * A 32-bit seed from a name (FNV-1a over its UTF-16 code units), with `seed` XOR-ed into the offset basis,
 * so each named parameter of a model gets its own stream and the model seed shifts them all.
 *
 * This is the hash onnx-train's layers and action-head's model have always used: `seedFromName(name, seed)`
 * gives their initial weights bit for bit (action-head called it with seed 0).
 *
 * @param name - e.g. a parameter name such as `blocks.3.attn.q.weight`.
 * @param seed - the model seed; default 0.
 * @returns an unsigned 32-bit integer.
 */
export function seedFromName(name: string, seed = 0): number {
  let h = FNV_OFFSET ^ seed;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), FNV_PRIME);
  return h >>> 0;
}

/**
 * A 32-bit seed from a list of parts (FNV-1a over the Unicode code points of `parts.join('/')`), so each
 * suite, task and trial has its own stream. This is bench's `seedFrom`.
 *
 * Equal to `seedFromName(parts.join('/'))` for text without characters outside the Basic Multilingual
 * Plane; the two differ only there (code points here, UTF-16 code units there).
 *
 * @param parts - strings and numbers, joined with `/`.
 * @returns an unsigned 32-bit integer.
 */
export function seedFromParts(...parts: readonly (string | number)[]): number {
  let h = FNV_OFFSET;
  for (const ch of parts.join('/')) {
    h ^= ch.codePointAt(0) ?? 0;
    h = Math.imul(h, FNV_PRIME) >>> 0;
  }
  return h >>> 0;
}
