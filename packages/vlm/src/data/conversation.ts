import { access, readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { decode as decodePng } from 'fast-png';
import { VlmError } from '../errors.js';
import { ROLES } from '../tokenizer/chat-template.js';

/** An 8-bit RGB image, row-major `[height, width, 3]`. */
export interface RgbImage {
  width: number;
  height: number;
  data: Uint8Array;
}

/** A content item in the Hugging Face / TRL conversational convention. */
export type ContentItem =
  | { type: 'text'; text: string }
  /** An image: a PNG `path` (relative to the JSONL file it came from) or pixels in memory. */
  | { type: 'image'; path?: string; image?: RgbImage };

/** A chat message. */
export interface Message {
  role: (typeof ROLES)[number];
  content: string | ContentItem[];
}

/** One training row: `{ messages: [...] }`. */
export interface Conversation {
  messages: Message[];
}

/** A prompt for generation: the conversation so far, without the assistant's answer. */
export type VlmPrompt = Conversation;

/** A conversation read from a file, with where it came from. */
export interface ConversationRow {
  conversation: Conversation;
  source: RowSource;
}

/** Where a row came from, for error messages. */
export interface RowSource {
  file: string;
  line: number;
}

const where = (source: RowSource | undefined) => (source ? `${source.file}:${source.line}: ` : '');

/** Checks a parsed row's shape; the error names the file, line and field. */
export function validateConversation(row: unknown, source?: RowSource): Conversation {
  const at = where(source);
  if (row === null || typeof row !== 'object' || !Array.isArray((row as Conversation).messages))
    throw new VlmError(`${at}expected an object with a "messages" array`);
  const messages = (row as Conversation).messages;
  if (messages.length === 0) throw new VlmError(`${at}"messages" is empty`);
  messages.forEach((m, i) => {
    if (m === null || typeof m !== 'object') throw new VlmError(`${at}messages[${i}] is not an object`);
    if (!(ROLES as readonly string[]).includes(m.role))
      throw new VlmError(
        `${at}messages[${i}] has unknown role ${JSON.stringify(m.role)} (expected ${ROLES.join(', ')})`,
      );
    if (typeof m.content === 'string') return;
    if (!Array.isArray(m.content))
      throw new VlmError(`${at}messages[${i}].content must be a string or a list`);
    m.content.forEach((item, j) => {
      const field = `messages[${i}].content[${j}]`;
      if (item?.type === 'text') {
        if (typeof item.text !== 'string') throw new VlmError(`${at}${field} has no string "text"`);
      } else if (item?.type === 'image') {
        if (typeof item.path !== 'string' && item.image === undefined)
          throw new VlmError(`${at}${field} is an image without a "path"`);
      } else {
        throw new VlmError(
          `${at}${field} has unknown type ${JSON.stringify((item as { type?: unknown })?.type)}`,
        );
      }
    });
  });
  return row as Conversation;
}

/**
 * Reads a JSONL file of conversations, checking every row (and that every image file exists) before
 * returning, so a malformed row fails with its file and line before training starts. Image paths are
 * resolved against the file's folder.
 */
export async function readConversations(path: string): Promise<ConversationRow[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new VlmError(`cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  const base = dirname(resolve(path));
  const rows: Conversation[] = [];
  const lineOf: number[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    if (lines[i].trim() === '') continue;
    const source = { file: path, line: i + 1 };
    let parsed: unknown;
    try {
      parsed = JSON.parse(lines[i]);
    } catch (err) {
      throw new VlmError(`${source.file}:${source.line}: not JSON (${(err as Error).message})`);
    }
    const row = validateConversation(parsed, source);
    for (const m of row.messages)
      if (Array.isArray(m.content))
        for (const item of m.content)
          if (item.type === 'image' && item.path !== undefined) item.path = resolve(base, item.path);
    rows.push(row);
    lineOf.push(i + 1);
  }
  await Promise.all(
    rows.flatMap((row, r) =>
      imagePaths(row).map((image) =>
        access(image).catch(() => {
          throw new VlmError(`${path}:${lineOf[r]}: image file ${image} is missing`);
        }),
      ),
    ),
  );
  return rows.map((conversation, r) => ({ conversation, source: { file: path, line: lineOf[r] } }));
}

/** Decodes a PNG file to 8-bit RGB (alpha dropped, grey expanded). */
export async function readPng(path: string): Promise<RgbImage> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (err) {
    throw new VlmError(`cannot read image ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  const png = decodePng(bytes);
  if (png.depth !== 8) throw new VlmError(`${path}: ${png.depth}-bit PNG, expected 8-bit`);
  const { width, height, channels } = png;
  const src = png.data as Uint8Array;
  const data = new Uint8Array(width * height * 3);
  for (let p = 0; p < width * height; p++)
    for (let c = 0; c < 3; c++) data[p * 3 + c] = src[p * channels + (channels >= 3 ? c : 0)];
  return { width, height, data };
}

/** The image paths of a conversation, in order. */
function imagePaths(row: Conversation): string[] {
  return row.messages.flatMap((m) =>
    Array.isArray(m.content)
      ? m.content.flatMap((item) => (item.type === 'image' && item.path !== undefined ? [item.path] : []))
      : [],
  );
}
