import { readFile } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import { AutoTokenizer, env, type PreTrainedTokenizer } from '@huggingface/transformers';
import { type AddedTokenActionMapping, addedTokenActionMapping } from '@roboalign/fast-tokenizer';
import type { Message } from '../data/conversation.js';
import { VlmError } from '../errors.js';
import { REASONING_TOKENS, SPECIAL_TOKENS } from './chat-template.js';

/** Ids of the tokens the model and the pipeline look for. */
export interface VlmTokenIds {
  pad: number;
  imStart: number;
  imEnd: number;
  visionStart: number;
  visionEnd: number;
  imagePad: number;
  thinkStart: number;
  thinkEnd: number;
  answerStart: number;
  answerEnd: number;
}

/**
 * The VLM's tokenizer: a Hugging Face tokenizer folder loaded through `@huggingface/transformers`
 * (encode, decode, chat template), plus the ids of its special tokens and the FAST action mapping.
 */
export class VlmTokenizer {
  private constructor(
    /** The `@huggingface/transformers` tokenizer. */
    readonly hf: PreTrainedTokenizer,
    readonly ids: VlmTokenIds,
    /** FAST ids ↔ `<ACTION_START>`, `<FAST_i>`…, `<ACTION_END>` ids. */
    readonly actions: AddedTokenActionMapping,
    /** Placeholder tokens per image. */
    readonly imageTokens: number,
    /** All ids, action tokens included. */
    readonly vocabSize: number,
    /** `model_max_length`. */
    readonly maxLength: number,
  ) {}

  /**
   * Loads `dir` (`tokenizer.json` + `tokenizer_config.json`) with `AutoTokenizer.from_pretrained`, local
   * files only. transformers.js resolves local models against a global `env.localModelPath`; it is set
   * for the call and restored after.
   */
  static async load(dir: string): Promise<VlmTokenizer> {
    const folder = resolve(dir);
    let config: {
      roboalign?: { imageTokens: number; textVocabSize: number; fastVocabSize: number };
      model_max_length?: number;
    };
    try {
      config = JSON.parse(await readFile(`${folder}/tokenizer_config.json`, 'utf8'));
    } catch (err) {
      throw new VlmError(`cannot read ${folder}/tokenizer_config.json: ${(err as Error).message}`);
    }
    const meta = config.roboalign;
    if (meta === undefined)
      throw new VlmError(
        `${folder}/tokenizer_config.json has no "roboalign" section: not a VLM tokenizer folder`,
      );
    const saved = { remote: env.allowRemoteModels, local: env.allowLocalModels, path: env.localModelPath };
    let hf: PreTrainedTokenizer;
    try {
      env.allowRemoteModels = false;
      env.allowLocalModels = true;
      env.localModelPath = `${dirname(folder)}/`;
      hf = await AutoTokenizer.from_pretrained(basename(folder), { local_files_only: true });
    } catch (err) {
      throw new VlmError(`cannot load the tokenizer in ${folder}: ${(err as Error).message}`);
    } finally {
      env.allowRemoteModels = saved.remote;
      env.allowLocalModels = saved.local;
      env.localModelPath = saved.path;
    }
    const vocab = hf.get_vocab();
    const id = (token: string) => {
      const v = vocab.get(token);
      if (v === undefined) throw new VlmError(`${folder}: the tokenizer has no ${token} token`);
      return v;
    };
    const [thinkStart, thinkEnd, answerStart, answerEnd] = REASONING_TOKENS.map(id);
    const ids: VlmTokenIds = {
      pad: id(SPECIAL_TOKENS.pad),
      imStart: id(SPECIAL_TOKENS.imStart),
      imEnd: id(SPECIAL_TOKENS.imEnd),
      visionStart: id(SPECIAL_TOKENS.visionStart),
      visionEnd: id(SPECIAL_TOKENS.visionEnd),
      imagePad: id(SPECIAL_TOKENS.imagePad),
      thinkStart,
      thinkEnd,
      answerStart,
      answerEnd,
    };
    const actions = addedTokenActionMapping({
      baseVocabSize: meta.textVocabSize,
      fastVocabSize: meta.fastVocabSize,
    });
    if (id('<ACTION_START>') !== actions.startId)
      throw new VlmError(`${folder}: <ACTION_START> is not at id ${actions.startId} (textVocabSize)`);
    const vocabSize = meta.textVocabSize + actions.addedTokens.length;
    return new VlmTokenizer(hf, ids, actions, meta.imageTokens, vocabSize, config.model_max_length ?? 4096);
  }

  /** Ids of plain text (no special tokens are added). */
  encode(text: string): number[] {
    return this.hf.encode(text, { add_special_tokens: false });
  }

  /** Text of ids, special tokens included unless `skipSpecialTokens`. */
  decode(ids: ArrayLike<number>, options: { skipSpecialTokens?: boolean } = {}): string {
    if (ids.length === 0) return '';
    return this.hf.decode(Array.from(ids), { skip_special_tokens: options.skipSpecialTokens ?? false });
  }

  /** The conversation rendered by the folder's chat template, as text. */
  renderChat(messages: readonly Message[], options: { addGenerationPrompt?: boolean } = {}): string {
    return this.hf.apply_chat_template(
      messages as unknown as Parameters<PreTrainedTokenizer['apply_chat_template']>[0],
      {
        tokenize: false,
        add_generation_prompt: options.addGenerationPrompt ?? false,
      },
    ) as string;
  }

  /** The conversation's ids through the chat template (`apply_chat_template(…, tokenize=True)`). */
  applyChatTemplate(messages: readonly Message[], options: { addGenerationPrompt?: boolean } = {}): number[] {
    const out = this.hf.apply_chat_template(
      messages as unknown as Parameters<PreTrainedTokenizer['apply_chat_template']>[0],
      {
        tokenize: true,
        add_generation_prompt: options.addGenerationPrompt ?? false,
        return_dict: false,
        return_tensor: false,
      },
    );
    return Array.from(out as ArrayLike<number>, Number);
  }
}
