// GRPO with VlmPolicy on a toy image task: answer with the FAST-like token <FAST_1> when the red block is
// on the left and <FAST_2> when it is on the right. SFT first teaches the reasoning-then-action format:
// the thought names the side correctly (read from the image), but the action token is a coin flip, so the
// reward starts at chance. GRPO must align the action with the reasoning, as RoboAlign does at scale.
import { GrpoTrainer, type LanguagePolicy } from '@roboalign/grpo';
import { roboalignReward } from '@roboalign/rewards';
import { mulberry32 } from '@roboalign/utils';
import { describe, expect, it } from 'vitest';
import type { Conversation } from '../src/data/conversation.js';
import { encodeConversation } from '../src/data/encode.js';
import type { PromptInput } from '../src/generate.js';
import { VlmPolicy } from '../src/policy.js';
import { sft } from '../src/sft.js';
import { Vlm } from '../src/vlm.js';
import { MICRO } from './helpers/micro.js';
import { blockImage, toyTokenizer } from './helpers/toy.js';

const ACT = 'Act.';
const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const answer = (side: string, fast: number) =>
  `<think>${side}</think><answer><ACTION_START><FAST_${fast}><ACTION_END></answer>`;

function actionPrompt(side: 'left' | 'right', rand: () => number): Conversation {
  const x = (side === 'left' ? 0 : 32) + Math.floor(rand() * 21);
  return {
    messages: [
      {
        role: 'user',
        content: [
          // The colour gives the side away too (red left, blue right), so that the micro model's vision
          // learns it within the SFT budget: this test is about the RL machinery, not visual learning
          // (the SFT test shows position alone being learned).
          {
            type: 'image',
            image: blockImage(
              x,
              Math.floor(rand() * 52),
              12,
              64,
              side === 'left' ? [220, 30, 30] : [30, 30, 220],
            ),
          },
          { type: 'text', text: ACT },
        ],
      },
    ],
  };
}

describe('GRPO with VlmPolicy', () => {
  it('raises the RoboAlign reward from chance to above 0.9 on a left/right image task', async () => {
    const { tokenizer } = await toyTokenizer();
    const model = Vlm.create(tokenizer, { architecture: MICRO, maxLength: 160, seed: 4 });
    const rand = mulberry32(9);
    const sides = (n: number) =>
      Array.from({ length: n }, () => (rand() < 0.5 ? 'left' : 'right') as 'left' | 'right');
    // Each image twice, once with each action token: after SFT the token is a fair coin for every image.
    const reasoning = await Promise.all(
      sides(32).flatMap((side) => {
        const p = actionPrompt(side, rand);
        return [1, 2].map((label) =>
          encodeConversation(tokenizer, model.config, {
            messages: [...p.messages, { role: 'assistant', content: answer(side, label) }],
          }),
        );
      }),
    );
    await sft(model, [{ name: 'reasoning', examples: reasoning }], {
      steps: 250,
      batchSize: 8,
      lr: 3e-3,
      progress: false,
    });

    const policy = new VlmPolicy(model, { maxNewTokens: 16, temperature: 1, topP: 0.9 });
    const typed: LanguagePolicy<PromptInput> = policy;
    const pool = sides(64).map((side) => ({ side, prompt: actionPrompt(side, rand) }));
    const trainer = new GrpoTrainer<PromptInput>({
      policy: typed,
      referencePolicy: policy.reference(),
      groupSize: 5,
      loss: { lossType: 'token-mean', epsLow: 0.2, epsHigh: 0.3, clipRatioC: 3, beta: 0.01 },
      learningRate: 2e-3,
      eosId: tokenizer.ids.imEnd,
      rewards: [
        {
          name: 'roboalign',
          fn: ({ completions, columns }) =>
            completions.map((text, i) => roboalignReward(text, [columns.side[i] === 'left' ? 1 : 2])),
        },
      ],
    });
    const rewards: number[] = [];
    for (let step = 0; step < 40; step++) {
      const batch = Array.from({ length: 8 }, (_, k) => pool[(step * 8 + k) % pool.length]);
      const metrics = await trainer.step({
        prompts: batch.map((b) => b.prompt),
        columns: { side: batch.map((b) => b.side) },
      });
      rewards.push(metrics['rewards/roboalign']);
      if (process.env.VLM_TEST_LOG) console.log(step, metrics['rewards/roboalign'], metrics.kl_mean);
      if (rewards.length >= 4 && mean(rewards.slice(-4)) > 0.9) break;
    }
    // Chance: the format is learned (1), the token is a coin flip (0.5): (1 + 0.5) / 2 = 0.75.
    expect(rewards[0]).toBeLessThan(0.85);
    expect(mean(rewards.slice(-4))).toBeGreaterThan(0.9);
  }, 600_000);
});
