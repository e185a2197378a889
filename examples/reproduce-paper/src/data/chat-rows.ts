import type { ChatRow } from './types.js';

/**
 * A one-turn conversation in the VLM's chat format: the user turn holds the images (paths relative to the
 * JSONL file) and then the question; the assistant turn holds the answer.
 */
export function chatRow(imagePaths: readonly string[], question: string, answer: string): ChatRow {
  return {
    messages: [
      {
        role: 'user',
        content: [...imagePaths.map((path) => imageItem(path)), { type: 'text', text: question }],
      },
      { role: 'assistant', content: [{ type: 'text', text: answer }] },
    ],
  };
}

/** The user turn alone, for prompts whose answer the model generates (RL). */
export function promptOnly(imagePaths: readonly string[], question: string): ChatRow {
  return {
    messages: [
      {
        role: 'user',
        content: [...imagePaths.map((path) => imageItem(path)), { type: 'text', text: question }],
      },
    ],
  };
}

function imageItem(path: string): { type: 'image'; path: string } {
  return { type: 'image', path };
}

/** The text items of a row, in order (questions and answers). */
export function rowTexts(row: ChatRow): string[] {
  return row.messages.flatMap((m) =>
    typeof m.content === 'string'
      ? [m.content]
      : m.content.flatMap((item) => (item.type === 'text' ? [item.text] : [])),
  );
}
