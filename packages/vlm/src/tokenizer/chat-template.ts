/**
 * The special tokens and the chat template of the VLM, in the Qwen2-VL style: `<|im_start|>role\n … <|im_end|>\n`
 * turns, and each image as `<|vision_start|>`, one `<|image_pad|>` per patch, `<|vision_end|>`.
 */

/** Special tokens, in the order they take the first ids of the vocabulary. */
export const SPECIAL_TOKENS = {
  pad: '<|endoftext|>',
  imStart: '<|im_start|>',
  imEnd: '<|im_end|>',
  visionStart: '<|vision_start|>',
  visionEnd: '<|vision_end|>',
  imagePad: '<|image_pad|>',
} as const;

/** Reasoning tags, added as ordinary (not special) tokens, as Qwen3 adds `<think>`: decoding keeps them. */
export const REASONING_TOKENS = ['<think>', '</think>', '<answer>', '</answer>'] as const;

/** Roles a conversation may use. */
export const ROLES = ['system', 'user', 'assistant'] as const;

/**
 * The Jinja chat template. Content is a string or a list of `{type: 'text', text}` and `{type: 'image'}`
 * items; each image expands to `imageTokens` placeholders, so the ids already have one token per patch
 * (Python `transformers` renders the same ids from the same folder).
 */
export function chatTemplate(imageTokens: number): string {
  const s = SPECIAL_TOKENS;
  const pads = s.imagePad.repeat(imageTokens);
  return (
    '{%- for message in messages -%}' +
    `{{- '${s.imStart}' + message['role'] + '\\n' -}}` +
    "{%- if message['content'] is string -%}{{- message['content'] -}}" +
    "{%- else -%}{%- for item in message['content'] -%}" +
    `{%- if item['type'] == 'image' -%}{{- '${s.visionStart}${pads}${s.visionEnd}' -}}` +
    "{%- elif item['type'] == 'text' -%}{{- item['text'] -}}{%- endif -%}" +
    '{%- endfor -%}{%- endif -%}' +
    `{{- '${s.imEnd}\\n' -}}` +
    '{%- endfor -%}' +
    `{%- if add_generation_prompt -%}{{- '${s.imStart}assistant\\n' -}}{%- endif -%}`
  );
}
