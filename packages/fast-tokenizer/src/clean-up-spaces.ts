/**
 * `transformers`' `clean_up_tokenization`: removes the space before some punctuation and English
 * contractions, applied in this order to the decoded text when a tokenizer's config sets
 * `clean_up_tokenization_spaces` (the released FAST+ config does). On FAST strings it rewrites
 * the code point of space (32) followed by these characters, so it changes coefficients.
 */
const REPLACEMENTS: ReadonlyArray<readonly [string, string]> = [
  [' .', '.'],
  [' ?', '?'],
  [' !', '!'],
  [' ,', ','],
  [" ' ", "'"],
  [" n't", "n't"],
  [" 'm", "'m"],
  [" 's", "'s"],
  [" 've", "'ve"],
  [" 're", "'re"],
];

/** Applies `transformers`' `clean_up_tokenization` to decoded text. */
export function cleanUpTokenizationSpaces(text: string): string {
  if (!text.includes(' ')) return text;
  for (const [from, to] of REPLACEMENTS) text = text.replaceAll(from, to);
  return text;
}
