import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encode as encodePng } from 'fast-png';
import { beforeAll, describe, expect, it } from 'vitest';
import { type EncodedExample, encodeConversation } from '../src/data/encode.js';
import { answerRows, loadSftDataset, sft } from '../src/sft.js';
import type { VlmTokenizer } from '../src/tokenizer/vlm-tokenizer.js';
import { Vlm } from '../src/vlm.js';
import { MICRO } from './helpers/micro.js';
import { blockImage, leftRightConversations, toyTokenizer } from './helpers/toy.js';

let tokenizer: VlmTokenizer;
let examples: EncodedExample[];
const fresh = (seed = 0) => Vlm.create(tokenizer, { architecture: MICRO, maxLength: 192, seed });

beforeAll(async () => {
  ({ tokenizer } = await toyTokenizer());
  const config = fresh().config;
  examples = await Promise.all(
    leftRightConversations(32, 1).map((c) => encodeConversation(tokenizer, config, c)),
  );
});

describe('sft', () => {
  it('marks exactly the assistant answer and its <|im_end|> as targets', () => {
    const ex = examples[0];
    const targets = Array.from(ex.targets.keys()).filter((i) => ex.targets[i]);
    expect(targets[0]).toBe(ex.prefixLength);
    expect(tokenizer.decode(targets.map((i) => ex.ids[i]))).toMatch(/^(left|right)<\|im_end\|>$/);
    // Nothing before the answer (image, system and user tokens) carries loss.
    expect(ex.targets.subarray(0, ex.prefixLength).every((v) => v === 0)).toBe(true);
    const [row] = answerRows([ex]);
    expect(row.targets).toEqual(targets);
  });

  it('overfits 32 image conversations to near-zero loss on the answer tokens', async () => {
    const model = fresh();
    const history = await sft(model, [{ name: 'left-right', examples }], {
      steps: 250,
      batchSize: 8,
      lr: 3e-3,
      progress: false,
    });
    expect(history[0].loss).toBeGreaterThan(3);
    // Mean answer NLL over all 32 conversations, not only the last batch.
    const { loss } = await model.score(answerRows(examples));
    expect(loss).toBeLessThan(0.05);
    const greedy = await model.generate(
      examples
        .slice(0, 8)
        .map((e) => ({ ...e, ids: e.ids.slice(0, e.prefixLength), targets: new Uint8Array(e.prefixLength) })),
      { temperature: 0, maxNewTokens: 4 },
    );
    greedy.forEach(([g], i) => {
      expect(g.text).toBe(tokenizer.decode(Array.from(examples[i].ids.slice(examples[i].prefixLength, -2))));
    });
  }, 180_000);

  it('resumes from a checkpoint bit for bit', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'vlm-sft-'));
    const options = { steps: 4, batchSize: 4, lr: 2e-3, progress: false, seed: 5 };
    const straight = fresh(1);
    await sft(straight, [{ name: 'a', examples }], options);
    const checkpointPath = join(dir, 'checkpoint.safetensors');
    const interrupted = fresh(1);
    await sft(interrupted, [{ name: 'a', examples }], {
      ...options,
      steps: 2,
      checkpointPath,
      checkpointEvery: 2,
    });
    // A new process: fresh weights, then resume from the checkpoint to the same 4 steps.
    const resumed = fresh(1);
    await sft(resumed, [{ name: 'a', examples }], {
      ...options,
      checkpointPath,
      checkpointEvery: 2,
      resume: true,
    });
    for (const [name, p] of straight.params)
      expect(Buffer.from(resumed.params.get(name)!.buffer).equals(Buffer.from(p.buffer))).toBe(true);
  }, 120_000);

  it('keeps frozen parameters as they were', async () => {
    const model = fresh(2);
    const before = model.params.get('vision_tower.patch_embedding.weight')!.slice();
    const lmBefore = model.params.get('model.layers.0.mlp.up_proj.weight')!.slice();
    await sft(model, [{ name: 'a', examples }], {
      steps: 2,
      batchSize: 4,
      progress: false,
      frozen: ['vision_tower.'],
    });
    expect(model.params.get('vision_tower.patch_embedding.weight')).toEqual(before);
    expect(model.params.get('model.layers.0.mlp.up_proj.weight')).not.toEqual(lmBefore);
  });

  it('mixes datasets by weight', async () => {
    const model = fresh();
    const left = examples.filter((e) => tokenizer.decode(Array.from(e.ids)).includes('assistant\nleft'));
    const right = examples.filter((e) => !left.includes(e));
    // All weight on one dataset: the model learns to always answer its label.
    await sft(
      model,
      [
        { name: 'left', examples: left, weight: 1 },
        { name: 'right', examples: right, weight: 0 },
      ],
      {
        steps: 30,
        batchSize: 4,
        lr: 3e-3,
        progress: false,
      },
    );
    const { tokenLogprobs: l } = await model.score(answerRows(left.slice(0, 1)));
    const { tokenLogprobs: r } = await model.score(answerRows(right.slice(0, 1)));
    expect(l[0]).toBeGreaterThan(r[0]);
  });
});

describe('bad input', () => {
  const message = (content: string) => ({ role: 'user' as const, content });

  it('names file and line of a malformed row, before training starts', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'vlm-data-'));
    await mkdir(join(dir, 'images'));
    await writeFile(
      join(dir, 'images', 'a.png'),
      encodePng({ width: 64, height: 64, data: blockImage(3).data, channels: 3 }),
    );
    await writeFile(
      join(dir, 'images', 'small.png'),
      encodePng({ width: 32, height: 32, data: new Uint8Array(32 * 32 * 3), channels: 3 }),
    );
    const row = (image: string, role = 'user') =>
      JSON.stringify({
        messages: [
          {
            role,
            content: [
              { type: 'image', path: image },
              { type: 'text', text: 'which side?' },
            ],
          },
          { role: 'assistant', content: [{ type: 'text', text: 'left' }] },
        ],
      });
    const model = fresh();
    const write = async (name: string, lines: string[]) => {
      await writeFile(join(dir, name), `${lines.join('\n')}\n`);
      return join(dir, name);
    };
    const good = await loadSftDataset(
      model,
      await write('good.jsonl', [row('images/a.png'), '', row('images/a.png')]),
    );
    expect(good.examples).toHaveLength(2);
    await expect(
      loadSftDataset(model, await write('role.jsonl', [row('images/a.png'), row('images/a.png', 'robot')])),
    ).rejects.toThrow(/role\.jsonl:2: messages\[0\] has unknown role "robot"/);
    await expect(
      loadSftDataset(model, await write('missing.jsonl', [row('images/nope.png')])),
    ).rejects.toThrow(/missing\.jsonl:1: image file .*nope\.png is missing/);
    await expect(
      loadSftDataset(model, await write('size.jsonl', [row('images/a.png'), row('images/small.png')])),
    ).rejects.toThrow(/size\.jsonl:2: image 0 .*is 32×32, the model reads 64×64/);
    await expect(loadSftDataset(model, await write('json.jsonl', ['{"messages": [']))).rejects.toThrow(
      /json\.jsonl:1: not JSON/,
    );
  });

  it('rejects conversations longer than the context and ids outside the vocabulary', async () => {
    const model = Vlm.create(tokenizer, { architecture: MICRO, maxLength: 80 });
    await expect(
      encodeConversation(tokenizer, model.config, {
        messages: [
          {
            role: 'user',
            content: [
              { type: 'image', image: blockImage(1) },
              { type: 'text', text: 'left '.repeat(30) },
            ],
          },
          { role: 'assistant', content: 'left' },
        ],
      }),
    ).rejects.toThrow(/tokens, longer than the context of 80/);
    await expect(
      model.score([{ ids: [1, 2, 99999], images: [], prefixLength: 1, targets: [2], weights: [1] }]),
    ).rejects.toThrow(/token id 99999 at position 2 is outside the vocabulary/);
    await expect(encodeConversation(tokenizer, model.config, { messages: [message('hi')] })).rejects.toThrow(
      /no assistant turn/,
    );
  });
});
