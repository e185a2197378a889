// Gradient graphs run with ONNX Runtime's memory arena (faster: no page faults per intermediate), and only
// the most recently used TRAINING_ARENA_GRAPHS of them stay loaded, so arena memory stays bounded.
import { beforeAll, describe, expect, it } from 'vitest';
import { type EncodedExample, encodeConversation } from '../src/data/encode.js';
import { answerRows } from '../src/sft.js';
import type { VlmTokenizer } from '../src/tokenizer/vlm-tokenizer.js';
import { TRAINING_ARENA_GRAPHS, Vlm } from '../src/vlm.js';
import { MICRO } from './helpers/micro.js';
import { leftRightConversations, toyTokenizer } from './helpers/toy.js';

let tokenizer: VlmTokenizer;
let examples: EncodedExample[];
const fresh = () => Vlm.create(tokenizer, { architecture: MICRO, maxLength: 192, seed: 3 });

beforeAll(async () => {
  ({ tokenizer } = await toyTokenizer());
  const config = fresh().config;
  examples = await Promise.all(
    leftRightConversations(4, 1).map((c) => encodeConversation(tokenizer, config, c)),
  );
});

describe('gradient graphs and the memory arena', () => {
  it('keeps at most TRAINING_ARENA_GRAPHS loaded, and a released shape recompiles to the same gradients', async () => {
    const model = fresh();
    // Batches of 1 to 4 rows: four shapes, so four gradient graphs.
    const batches = [1, 2, 3, 4].map((n) => answerRows(examples.slice(0, n)));
    const first = await model.score(batches[0], { gradients: true });
    for (const rows of batches.slice(1)) {
      await model.score(rows, { gradients: true });
      expect(model.loadedTrainingGraphs).toBeLessThanOrEqual(TRAINING_ARENA_GRAPHS);
    }
    expect(model.loadedTrainingGraphs).toBe(TRAINING_ARENA_GRAPHS);
    const again = await model.score(batches[0], { gradients: true });
    expect(again.loss).toBe(first.loss);
    for (const [name, g] of first.grads) expect(again.grads.get(name)).toEqual(g);
    await model.release();
  });

  it('leaves forward graphs and an explicit memoryArena choice alone', async () => {
    const model = fresh();
    await model.score(answerRows(examples.slice(0, 1)));
    expect(model.loadedTrainingGraphs).toBe(0);
    await model.release();
    const noArena = Vlm.create(tokenizer, {
      architecture: MICRO,
      maxLength: 192,
      seed: 3,
      session: { memoryArena: false },
    });
    await noArena.score(answerRows(examples.slice(0, 1)), { gradients: true });
    expect(noArena.loadedTrainingGraphs).toBe(0);
    await noArena.release();
  });
});
