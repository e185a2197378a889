// greedyFastAnswersAfter puts the given start of the answer where training puts an answer: it must continue
// as the model does from the training encoding of the same conversation, cut after that start.
import { encodeConversation } from '@roboalign/vlm';
import { describe, expect, it } from 'vitest';
import { generatedFastIds } from '../../src/pipeline/alignment-targets.js';
import { greedyFastAnswers, greedyFastAnswersAfter } from '../../src/pipeline/lm-eval.js';
import { microModel } from './micro-model.js';

describe('greedyFastAnswersAfter', () => {
  it('continues after the given answer start as from the training encoding', async () => {
    const { tokenizer, model } = await microModel(['what action now', 'move left', 'go right'], 64, 'after-');
    const questions = ['what action now', 'move left'];
    const starts = ['go right <ACTION_START>', 'move'];
    const prompts = questions.map((text) => ({ messages: [{ role: 'user' as const, content: text }] }));
    const after = await greedyFastAnswersAfter(model, prompts, starts, 8);
    for (const [i, question] of questions.entries()) {
      const encoded = await encodeConversation(tokenizer, model.config, {
        messages: [
          { role: 'user', content: question },
          { role: 'assistant', content: starts[i] },
        ],
      });
      // The answer's tokens are its targets, ending with <|im_end|>: cut just before that.
      const end = encoded.targets.lastIndexOf(1);
      expect(encoded.ids[end]).toBe(tokenizer.ids.imEnd);
      const cut = { ...encoded, ids: encoded.ids.slice(0, end), targets: new Uint8Array(end) };
      const [[g]] = await model.generate([cut], { temperature: 0, maxNewTokens: 8 });
      expect(after[i].text).toBe(g.text);
      expect(after[i].ids).toEqual(generatedFastIds(tokenizer, g.ids));
    }
    const empty = await greedyFastAnswersAfter(model, prompts, ['', ''], 12);
    expect(empty).toEqual(await greedyFastAnswers(model, prompts, 12));
    await expect(greedyFastAnswersAfter(model, prompts, [''], 4)).rejects.toThrow(
      /1 answer starts for 2 prompts/,
    );
    await model.release();
  }, 60_000);
});
