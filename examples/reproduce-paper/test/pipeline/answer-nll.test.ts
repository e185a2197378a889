// fastAnswerNll batches rows 16 at a time and ranks the FAST tokens inside each answer; scored one row at a
// time with the ranks kept by hand, the same model must give the same figures.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { answerRows, encodeConversation, readConversations } from '@roboalign/vlm';
import { describe, expect, it } from 'vitest';
import { fastAnswerNll } from '../../src/pipeline/lm-eval.js';
import { microModel } from './micro-model.js';

const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

describe('fastAnswerNll', () => {
  it('gives the first, first-five and all-token NLL of the FAST tokens, across batches of 16', async () => {
    const { dir, tokenizer, model } = await microModel(
      ['what action now', 'move left', 'go right'],
      64,
      'answer-nll-',
    );
    // 18 rows (two batches), answers of 1 to 7 FAST tokens.
    const rows = Array.from({ length: 18 }, (_, r) => {
      const ids = Array.from({ length: 1 + (r % 7) }, (_, k) => (3 * r + 5 * k) % 16);
      const answer = `<ACTION_START>${ids.map((i) => `<FAST_${i}>`).join('')}<ACTION_END>`;
      return JSON.stringify({
        messages: [
          { role: 'user', content: r % 2 ? 'move left' : 'what action now' },
          { role: 'assistant', content: answer },
        ],
      });
    });
    const path = join(dir, 'fast.jsonl');
    await writeFile(path, `${rows.join('\n')}\n`);

    const nll = await fastAnswerNll(model, path, 18);

    const perRow: number[][] = [];
    for (const { conversation, source } of await readConversations(path)) {
      const encoded = await encodeConversation(tokenizer, model.config, conversation, source);
      const [row] = answerRows([encoded]);
      const { tokenLogprobs } = await model.score([row]);
      perRow.push(
        row.targets.flatMap((position, k) =>
          model.tokenizer.actions.isFastId(row.ids[position]) ? [-tokenLogprobs[k]] : [],
        ),
      );
    }
    expect(perRow.map((r) => r.length)).toEqual(Array.from({ length: 18 }, (_, r) => 1 + (r % 7)));
    expect(nll.first).toBeCloseTo(mean(perRow.map((r) => r[0])), 4);
    expect(nll.firstFive).toBeCloseTo(mean(perRow.flatMap((r) => r.slice(0, 5))), 4);
    expect(nll.all).toBeCloseTo(mean(perRow.flat()), 4);
    expect(nll.first).toBeGreaterThan(0);
    await model.release();
  }, 60_000);
});
