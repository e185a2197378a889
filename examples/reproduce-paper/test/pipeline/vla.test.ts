import {
  ACTION_HEAD_PRESETS,
  type ActionHead,
  type ActionHeadConfig,
  computeNormStats,
  type HeadObservation,
  type HeadSample,
  normalize,
} from '@roboalign/action-head';
import {
  ACTION_DIM,
  type ActionChunk,
  type ObjectPosition,
  type Observation,
  type Policy,
} from '@roboalign/bench';
import { activeActionDims, chunkEpisode, type RobotEpisode } from '@roboalign/datasets';
import { mulberry32 } from '@roboalign/utils';
import type { Conversation, Features, RgbImage, Vlm } from '@roboalign/vlm';
import { describe, expect, it } from 'vitest';
import {
  blankFeatures,
  demonstrationSubset,
  type FeatureTokens,
  GR00T_INPUTS,
  type HeadInputs,
  instructionWordFeatures,
  observationPrompt,
  rowFeatures,
  sceneOracleFeatures,
  selectedPositions,
  trainVlaHead,
  type VlaHead,
  type VlaTrainingSet,
  vlaPlan,
  vlaPolicy,
  vlaTrainingSet,
  whereQuestion,
} from '../../src/pipeline/vla.js';

// vla.ts's sample builder and policy as they were before the shared parts moved into
// @roboalign/action-head (issue #23), kept here to show that the samples and the actions did not change.
// The feature selection did not move, so the old code calls vla.ts's own. The old code knew no
// instruction-word control.
type OldHeadInputs = HeadInputs & { features: FeatureTokens | 'none' };

async function oldVlaTrainingSet(
  vlm: Vlm,
  demos: readonly RobotEpisode[],
  frameStride: number,
  inputs: OldHeadInputs,
): Promise<VlaTrainingSet> {
  const frames: Array<{ demo: RobotEpisode; t: number }> = [];
  for (const demo of demos) {
    if (!demo.images || !demo.states) throw new Error(`demonstration ${demo.index} has no images or states`);
    for (let t = 0; t < demo.length; t += frameStride) frames.push({ demo, t });
  }
  const prompts = frames.map(({ demo, t }) =>
    observationPrompt(demo.images!.image[t], demo.images!.wrist_image[t], demo.instruction),
  );
  const f: Features =
    inputs.features === 'none'
      ? blankFeatures(frames.length)
      : await vlm.features(prompts, { batchSize: 32 });
  const selection = inputs.features === 'none' ? 'all' : inputs.features;
  const positions = frames.map((_, i) => selectedPositions(f, i, selection, vlm.config.imageTokenId));
  const tokens = Math.max(...positions.map((p) => p.length));
  const config: ActionHeadConfig = {
    ...ACTION_HEAD_PRESETS.small,
    backboneTokens: tokens,
    backboneDim: f.shape[2],
  };
  const stateStats = computeNormStats(Float64Array.from(demos.flatMap((d) => Array.from(d.states ?? []))), 8);
  const active = activeActionDims(
    demos.map((d) => d.actions),
    ACTION_DIM,
  );
  const H = config.horizon;
  const actionMask = new Float32Array(H * config.actionDim);
  for (let h = 0; h < H; h++)
    for (let d = 0; d < ACTION_DIM; d++) actionMask[h * config.actionDim + d] = active[d] ? 1 : 0;
  const chunks = new Map(
    demos.map((d) => [d, chunkEpisode(d.actions, d.length, ACTION_DIM, { horizon: H, pad: 'repeat-last' })]),
  );
  const samples: HeadSample[] = frames.map(({ demo, t }, i) => {
    const state = new Float32Array(config.stateDim);
    if (inputs.state) state.set(normalize(demo.states!.subarray(t * 8, t * 8 + 8), stateStats, 'mean-std'));
    const chunk = chunks.get(demo)![t];
    const actions = new Float32Array(H * config.actionDim);
    for (let h = 0; h < H; h++)
      actions.set(chunk.subarray(h * ACTION_DIM, (h + 1) * ACTION_DIM), h * config.actionDim);
    return { ...rowFeatures(f, i, positions[i], tokens), state, embodiment: 0, actions, actionMask };
  });
  const episodeOf = new Map(demos.map((d, i) => [d, i]));
  const sampleEpisodes = Int32Array.from(frames, ({ demo }) => episodeOf.get(demo)!);
  // The old builder knew no environment states; these demonstrations have none.
  return { inputs, samples, sampleEpisodes, sampleEnvironment: null, config, stateStats, active, tokens };
}

function oldVlaPolicy(vlm: Vlm, trained: VlaHead, seed: number): Policy {
  const { head, stateStats, active, tokens } = trained;
  const inputs = trained.inputs as OldHeadInputs;
  const config = head.config;
  let calls = 0;
  return {
    async act(observation: Observation): Promise<ActionChunk> {
      let row = rowFeatures(blankFeatures(1), 0, [0], tokens);
      if (inputs.features !== 'none') {
        const prompt = observationPrompt(observation.image, observation.wristImage, observation.instruction);
        const f = await vlm.features([prompt], { batchSize: 1 });
        row = rowFeatures(f, 0, selectedPositions(f, 0, inputs.features, vlm.config.imageTokenId), tokens);
      }
      const { features, featureMask } = row;
      const state = new Float32Array(config.stateDim);
      if (inputs.state) state.set(normalize(observation.state, stateStats, 'mean-std'));
      const chunk = await head.predict(
        { features, featureMask, state, embodiment: 0 },
        seed * 1_000_003 + calls++,
      );
      const actions = new Float32Array(config.horizon * ACTION_DIM);
      for (let h = 0; h < config.horizon; h++)
        for (let d = 0; d < ACTION_DIM; d++)
          if (active[d])
            actions[h * ACTION_DIM + d] = Math.max(-1, Math.min(1, chunk[h * config.actionDim + d]));
      return { horizon: config.horizon, actions };
    },
  };
}

/** The bits of a float array, so that equal means bit for bit. */
const bits = (values: Float32Array) =>
  Array.from(new Uint32Array(values.buffer, values.byteOffset, values.length));

const IMAGE_TOKEN = 5;
/** An image whose first two bytes name its demonstration and step. */
const image = (demo: number, t: number): RgbImage => ({
  width: 1,
  height: 1,
  data: Uint8Array.of(demo, t, 0),
});

/**
 * A stand-in VLM: per prompt four positions, two image tokens first, the last one padding for odd
 * steps, each hidden vector made from the agent view's demonstration and step (so samples out of order show).
 */
const fakeVlm = {
  config: { imageTokenId: IMAGE_TOKEN },
  async features(prompts: readonly Conversation[]): Promise<Features> {
    const length = 4;
    const width = 3;
    const count = prompts.length;
    const hidden = new Float32Array(count * length * width);
    const mask = new Uint8Array(count * length);
    const ids = new Int32Array(count * length);
    prompts.forEach((prompt, r) => {
      const content = prompt.messages[0].content;
      const first = typeof content === 'string' ? undefined : content[0];
      const data = first?.type === 'image' ? first.image?.data : undefined;
      const [demo, t] = data ?? [0, 0];
      for (let s = 0; s < length; s++) {
        const k = r * length + s;
        ids[k] = s < 2 ? IMAGE_TOKEN : 10 + s;
        mask[k] = s === 3 && t % 2 === 1 ? 0 : 1;
        for (let w = 0; w < width; w++) hidden[k * width + w] = demo * 100 + t + s / 10 + w / 100;
      }
    });
    return { hidden, mask, ids, shape: [count, length, width], layer: 2 };
  },
} as unknown as Vlm;

const random = mulberry32(23);
function demo(index: number, length: number, instruction: string): RobotEpisode {
  const actions = Float32Array.from({ length: length * 7 }, (_, i) =>
    i % 7 === 3 || i % 7 === 4 ? 0 : 2 * random() - 1,
  );
  const states = Float32Array.from({ length: length * 8 }, () => 3 * random() - 1);
  const images = {
    image: Array.from({ length }, (_, t) => image(index, t)),
    wrist_image: Array.from({ length }, (_, t) => image(index, t)),
  };
  return { index, instruction, fps: 20, length, actions, actionDim: 7, states, stateDim: 8, images };
}
// Longer and shorter than the horizon (8), and one step long.
const demos = [demo(0, 13, 'open the drawer'), demo(1, 5, 'lift the block'), demo(2, 1, 'stop')];

const VARIANTS: Array<[string, OldHeadInputs, number]> = [
  ['GR00T inputs, every step', GR00T_INPUTS as OldHeadInputs, 1],
  ['text tokens without state, every third step', { features: 'text', state: false }, 3],
  ['state only, every second step', { features: 'none', state: true }, 2],
];

describe('the VLA training set built with @roboalign/action-head', () => {
  it.each(VARIANTS)('is the set vla.ts built before, bit for bit: %s', async (_, inputs, stride) => {
    const expected = await oldVlaTrainingSet(fakeVlm, demos, stride, inputs);
    const set = await vlaTrainingSet(fakeVlm, demos, stride, inputs);
    expect(set.samples.length).toBeGreaterThan(5);
    expect(set.samples).toHaveLength(expected.samples.length);
    set.samples.forEach((s, i) => {
      const e = expected.samples[i];
      for (const field of ['features', 'featureMask', 'state', 'actions', 'actionMask'] as const)
        expect(bits(s[field]), `sample ${i} ${field}`).toEqual(bits(e[field]));
      expect(s.embodiment).toBe(e.embodiment);
    });
    const { samples: _s, ...rest } = set;
    const { samples: _e, ...expectedRest } = expected;
    expect(rest).toEqual(expectedRest);
  });
});

/** `set`'s policy on a stand-in head that records the features it is given and answers zeros. */
function recordingPolicy(vlm: Vlm | null, set: VlaTrainingSet): { policy: Policy; seen: Float32Array[] } {
  const { samples: _s, sampleEpisodes: _e, sampleEnvironment: _v, ...rest } = set;
  const seen: Float32Array[] = [];
  const head = {
    config: set.config,
    async predict(observation: HeadObservation) {
      seen.push(observation.features);
      return new Float32Array(set.config.horizon * set.config.actionDim);
    },
  } as unknown as ActionHead;
  return { policy: vlaPolicy(vlm, { ...rest, losses: [], head }, 1), seen };
}

/** One control step of `policy` on a blank view and a zero state. */
async function actOnBlankView(policy: Policy, instruction: string): Promise<void> {
  const view = image(0, 0);
  await policy.act({ image: view, wristImage: view, state: new Float64Array(8), instruction });
}

describe('the blind instruction-word control (instructionWordFeatures)', () => {
  it('gives each word one fixed vector, whatever the row or case, and masks the padding', () => {
    const f = instructionWordFeatures(['Open the drawer', 'lift the block', 'stop']);
    expect(f.shape).toEqual([3, 3, 32]);
    expect(Array.from(f.mask)).toEqual([1, 1, 1, 1, 1, 1, 1, 0, 0]);
    const vector = (row: number, s: number) =>
      Array.from(f.hidden.subarray((row * 3 + s) * 32, (row * 3 + s + 1) * 32));
    expect(vector(0, 1)).toEqual(vector(1, 1)); // "the"
    expect(vector(0, 0)).not.toEqual(vector(1, 0));
    expect(vector(0, 0).every((v) => v >= -1 && v <= 1)).toBe(true);
    expect(vector(2, 1).every((v) => v === 0)).toBe(true);
    expect(vector(0, 0)).toEqual(Array.from(instructionWordFeatures(['open']).hidden));
  });

  it('trains and acts without the backbone, on the words of the instruction', async () => {
    const noBackbone = {
      config: { imageTokenId: IMAGE_TOKEN },
      features: () => Promise.reject(new Error('the blind control ran the backbone')),
    } as unknown as Vlm;
    const set = await vlaTrainingSet(noBackbone, demos, 2, { features: 'instruction', state: true });
    expect(set.tokens).toBe(3);
    expect(set.config.backboneDim).toBe(32);
    const words = instructionWordFeatures(['open the drawer']);
    expect(Array.from(set.samples[0].features)).toEqual(Array.from(words.hidden));
    expect(Array.from(set.samples.at(-1)!.featureMask)).toEqual([1, 0, 0]); // "stop"
    const { policy, seen } = recordingPolicy(noBackbone, set);
    await actOnBlankView(policy, 'open the drawer');
    expect(Array.from(seen[0])).toEqual(Array.from(set.samples[0].features));
  });
});

describe("the head's shape", () => {
  it('takes the VL self-attention layers it is given, and the preset head otherwise', async () => {
    const inputs = { features: 'instruction', state: true } as const;
    const preset = await vlaTrainingSet(null, demos, 2, inputs);
    const deeper = await vlaTrainingSet(null, demos, 2, inputs, { vlLayers: 3 });
    expect(preset.config.vlLayers).toBe(ACTION_HEAD_PRESETS.small.vlLayers);
    expect(deeper.config).toEqual({ ...preset.config, vlLayers: 3 });
    // The deeper head's graph has the third layer's weights, and it trains.
    const trained = await trainVlaHead(deeper, { steps: 1, seed: 1, batchSize: 4, progress: false });
    const blocks = new Set([...trained.head.params.keys()].flatMap((n) => n.match(/^vl\.blocks\.\d+/) ?? []));
    expect([...blocks].sort()).toEqual(['vl.blocks.0', 'vl.blocks.1', 'vl.blocks.2']);
    expect(Number.isFinite(trained.losses[0])).toBe(true);
    await trained.head.release();
  });
});

describe("the head's learning-rate schedule", () => {
  it('reaches the head: cosine steps at the full rate, then decays, where constant does not', async () => {
    const set = await vlaTrainingSet(null, demos, 2, { features: 'instruction', state: true });
    const train = (schedule: 'constant' | 'cosine') =>
      trainVlaHead(set, { steps: 4, seed: 1, lr: 1e-2, batchSize: 4, schedule, progress: false });
    const [constant, cosine] = await Promise.all([train('constant'), train('cosine')]);
    // Rates: constant 1e-2 × 4; cosine 1e-2 (one warm-up step), 1e-2, 7.5e-3, 2.5e-3. A step's loss is
    // computed before its update, so only the fourth loss sees a different rate.
    expect(cosine.losses.slice(0, 3)).toEqual(constant.losses.slice(0, 3));
    expect(cosine.losses[3]).not.toBe(constant.losses[3]);
  });

  it('is constant in a plan that names none, as before it was a setting', () => {
    const options = {
      suites: ['libero-goal'],
      frameStride: 2,
      headSteps: 10,
      headSeeds: 1,
      seed: 0,
      trials: 1,
      chains: 1,
      replanSteps: 5,
      imageSize: 16,
      policySeed: 0,
    };
    expect(vlaPlan(options).headSchedule).toBe('constant');
    expect(vlaPlan({ ...options, headSchedule: 'cosine' }).headSchedule).toBe('cosine');
  });
});

describe('the scene oracle (sceneOracleFeatures): true object positions, no backbone', () => {
  const scene: ObjectPosition[] = [
    { name: 'red block', position: [0.1, -0.2, 0.03] },
    { name: 'drawer', position: [-0.22, 0.11, 0.05] },
  ];

  it("writes the instruction's word tokens, then one token per object: its name's mean word vector, position ×10, flag", () => {
    const f = sceneOracleFeatures(['open the drawer'], [scene]);
    expect(f.shape).toEqual([1, 5, 36]);
    expect(Array.from(f.mask)).toEqual([1, 1, 1, 1, 1]);
    const token = (s: number) => Array.from(f.hidden.subarray(s * 36, (s + 1) * 36));
    const word = (w: string) => Array.from(instructionWordFeatures([w]).hidden);
    expect(token(0)).toEqual([...word('open'), 0, 0, 0, 0]);
    expect(token(2).slice(0, 32)).toEqual(word('drawer'));
    // The drawer's token shares its name's vector with the instruction's word "drawer".
    expect(token(4).slice(0, 32)).toEqual(word('drawer'));
    expect(token(4).slice(32)).toEqual([-2.2, 1.1, 0.5, 1].map(Math.fround));
    const red = word('red');
    const block = word('block');
    const mean = red.map((v, d) => Math.fround((v + block[d]) / 2));
    token(3)
      .slice(0, 32)
      .forEach((v, d) => {
        expect(v).toBeCloseTo(mean[d], 6);
      });
    expect(() => sceneOracleFeatures(['a', 'b'], [scene])).toThrow(/2 instructions but 1 scenes/);
  });

  it('grounded: the words naming exactly one object carry its position; an ambiguous name carries none', () => {
    const twoBlue: ObjectPosition[] = [
      ...scene,
      { name: 'blue block', position: [0, 0, 0.03] },
      { name: 'blue block', position: [0.2, 0, 0.03] },
    ];
    const f = sceneOracleFeatures(['put the red block on the blue block'], [twoBlue], 'grounded');
    expect(f.shape).toEqual([1, 8 + 4, 36]);
    const tail = (s: number) => Array.from(f.hidden.subarray(s * 36 + 32, (s + 1) * 36));
    const none = [0, 0, 0, 0];
    const red = [1, -2, 0.3, 1].map(Math.fround);
    expect([0, 1, 2, 3, 4, 5, 6, 7].map(tail)).toEqual([none, none, red, red, none, none, none, none]);
    // The words' codes are the blind control's; the object tokens follow, as in the scene oracle.
    const plain = sceneOracleFeatures(['put the red block on the blue block'], [twoBlue]);
    for (let s = 0; s < 12; s++) {
      const code = (g: typeof f) => Array.from(g.hidden.subarray(s * 36, s * 36 + 32));
      expect(code(f)).toEqual(code(plain));
      if (s >= 8) expect(tail(s)).toEqual(Array.from(plain.hidden.subarray(s * 36 + 32, (s + 1) * 36)));
    }
  });

  it("trains on the demonstrations' sceneObjects and acts on Observation.objects, without a backbone", async () => {
    const withScenes = demos.map((d, i) => ({
      ...d,
      sceneObjects: Array.from({ length: d.length }, (_, t) => [
        { name: 'red block', position: [i, t, 0] as const },
      ]),
    }));
    const inputs: HeadInputs = { features: 'oracle', state: true };
    const set = await vlaTrainingSet(null, withScenes, 2, inputs);
    expect(set.config.backboneDim).toBe(36);
    expect(set.tokens).toBe(4); // "open the drawer" and one object
    // Sample 1 is demonstration 0's step 2: the object token carries that step's position.
    const objectToken = Array.from(set.samples[1].features.subarray(3 * 36, 4 * 36));
    expect(objectToken.slice(32)).toEqual([0, 20, 0, 1]);
    await expect(vlaTrainingSet(null, demos, 2, inputs)).rejects.toThrow(
      /needs the privileged object positions/,
    );
    await expect(vlaTrainingSet(null, demos, 2, { features: 'text', state: true })).rejects.toThrow(
      /needs a VLM/,
    );

    const { policy, seen } = recordingPolicy(null, set);
    const view = image(0, 0);
    const observation: Observation = {
      image: view,
      wristImage: view,
      state: new Float64Array(8),
      instruction: 'open the drawer',
      objects: [{ name: 'red block', position: [0, 2, 0] }],
    };
    await policy.act(observation);
    expect(Array.from(seen[0])).toEqual(Array.from(set.samples[1].features));
    await expect(policy.act({ ...observation, objects: undefined })).rejects.toThrow(/privileged/);
  });
});

describe('the LM layer the head reads (HeadInputs.layer)', () => {
  it('is passed to the backbone when training and when acting, and left to its default when unset', async () => {
    const layers: Array<number | undefined> = [];
    const recording = {
      config: { imageTokenId: IMAGE_TOKEN },
      features(prompts: readonly Conversation[], options: { layer?: number }) {
        layers.push(options.layer);
        return fakeVlm.features(prompts);
      },
    } as unknown as Vlm;
    const set = await vlaTrainingSet(recording, demos, 4, { features: 'text', state: true, layer: 1 });
    await vlaTrainingSet(recording, demos, 4, { features: 'text', state: true });
    expect(layers).toEqual([1, undefined]);
    await actOnBlankView(recordingPolicy(recording, set).policy, 'open the drawer');
    expect(layers).toEqual([1, undefined, 1]);
  });
});

describe('the grounding question in the backbone prompt (HeadInputs.askWhere)', () => {
  it('names the first object of the instruction in the general-VQA wording, or nothing', () => {
    expect(whereQuestion('pick up the orange can and place it in the tray')).toBe(
      'Where is the orange can in the image? Answer with its box [x0, y0, x1, y1] in pixels.',
    );
    expect(whereQuestion('stack the red block on the green block')).toMatch(/^Where is the red block in/);
    expect(whereQuestion('open the drawer')).toBeNull();
  });

  it('reaches the prompt when training and when acting, and only when asked', async () => {
    const texts: string[] = [];
    const recording = {
      config: { imageTokenId: IMAGE_TOKEN },
      features(prompts: readonly Conversation[]) {
        for (const p of prompts) {
          const content = p.messages[0].content;
          if (typeof content !== 'string')
            texts.push(content.flatMap((c) => (c.type === 'text' ? [c.text] : [])).join());
        }
        return fakeVlm.features(prompts);
      },
    } as unknown as Vlm;
    const instruction = 'put the red block on the plate';
    const one = [{ ...demos[0], instruction }];
    const set = await vlaTrainingSet(recording, one, 1000, { features: 'text', state: true, askWhere: true });
    await vlaTrainingSet(recording, one, 1000, { features: 'text', state: true });
    const asked = `${instruction}. ${whereQuestion(instruction)}`;
    expect(texts).toEqual([asked, instruction]);
    await actOnBlankView(recordingPolicy(recording, set).policy, instruction);
    expect(texts).toEqual([asked, instruction, asked]);
  });
});

describe("the VLA training set's environment states (the probe's object positions)", () => {
  /** `demo` with a 3-D environment state per step that names its demonstration and step: [index, t, −t]. */
  const withEnvironment = (d: RobotEpisode): RobotEpisode => ({
    ...d,
    environmentStates: Float32Array.from({ length: d.length * 3 }, (_, i) =>
      i % 3 === 0 ? d.index : i % 3 === 1 ? Math.floor(i / 3) : -Math.floor(i / 3),
    ),
    environmentStateDim: 3,
  });

  it.each([1, 3])('gives each sample the state at its own frame (every %i-th step)', async (stride) => {
    const set = await vlaTrainingSet(fakeVlm, demos.map(withEnvironment), stride);
    const environment = set.sampleEnvironment!;
    expect(environment.dim).toBe(3);
    expect(environment.values).toHaveLength(set.samples.length * 3);
    const frames = demos.flatMap((d) =>
      Array.from({ length: Math.ceil(d.length / stride) }, (_, k) => [d.index, k * stride]),
    );
    expect(frames).toHaveLength(set.samples.length);
    set.samples.forEach((sample, i) => {
      const [index, t] = frames[i];
      expect(Array.from(environment.values.subarray(3 * i, 3 * i + 3)), `sample ${i}`).toEqual([
        index,
        t,
        -t,
      ]);
      // The same frame as the sample's features: the stand-in VLM's first value is demo · 100 + step.
      expect(sample.features[0]).toBeCloseTo(index * 100 + t, 3);
      expect(set.sampleEpisodes[i]).toBe(index);
    });
  });

  it('is null when a demonstration has none, and refuses states of different widths', async () => {
    const mixed = [withEnvironment(demos[0]), demos[1], withEnvironment(demos[2])];
    expect((await vlaTrainingSet(fakeVlm, mixed, 1)).sampleEnvironment).toBeNull();
    expect((await vlaTrainingSet(fakeVlm, demos, 1)).sampleEnvironment).toBeNull();
    const wide = {
      ...demos[1],
      environmentStates: new Float32Array(demos[1].length * 4),
      environmentStateDim: 4,
    };
    await expect(vlaTrainingSet(fakeVlm, [withEnvironment(demos[0]), wide], 1)).rejects.toThrow(
      'environment states of different widths',
    );
  });
});

describe('the VLA policy built on headPolicy', () => {
  it.each(VARIANTS)(
    'asks the head the same things and acts the same as before: %s',
    async (_, inputs, stride) => {
      const set = await vlaTrainingSet(fakeVlm, demos, stride, inputs);
      const { samples: _s, sampleEpisodes: _e, sampleEnvironment: _v, ...rest } = set;
      const { config } = set;
      const asked: Record<string, Array<HeadObservation & { seed: number }>> = { old: [], new: [] };
      const trained = (name: string): VlaHead => ({
        ...rest,
        losses: [],
        head: {
          config,
          // A stand-in head whose chunk depends on the seed, the state and the features, beyond [−1, 1].
          async predict(observation: HeadObservation, seed: number) {
            asked[name].push({ ...observation, seed });
            const r = mulberry32(seed);
            return Float32Array.from(
              { length: config.horizon * config.actionDim },
              (_, i) =>
                4 * r() -
                2 +
                observation.state[i % 8] +
                observation.features[i % observation.features.length],
            );
          },
        } as unknown as ActionHead,
      });
      const policies = {
        old: oldVlaPolicy(fakeVlm, trained('old'), 4),
        new: vlaPolicy(fakeVlm, trained('new'), 4),
      };
      const chunks: Record<string, ActionChunk[]> = { old: [], new: [] };
      for (const [name, policy] of Object.entries(policies))
        for (const d of demos)
          for (let t = 0; t < d.length; t += 2) {
            const state = Float64Array.from(d.states!.subarray(t * 8, (t + 1) * 8));
            const view = image(d.index, t);
            chunks[name].push(
              await policy.act({ image: view, wristImage: view, state, instruction: d.instruction }),
            );
          }
      expect(chunks.new).toHaveLength(11);
      chunks.new.forEach((c, i) => {
        expect(c.horizon).toBe(chunks.old[i].horizon);
        expect(bits(c.actions)).toEqual(bits(chunks.old[i].actions));
      });
      expect(asked.new).toEqual(asked.old);
      expect(asked.new.map((a) => a.seed)).toEqual(Array.from({ length: 11 }, (_, i) => 4_000_012 + i));
      expect(policies.new.reset).toBeUndefined();
    },
  );
});

describe("a per-suite head's share of a training set (demonstrationSubset)", () => {
  const withEnvironment = (d: RobotEpisode): RobotEpisode => ({
    ...d,
    environmentStates: Float32Array.from({ length: d.length * 2 }, (_, i) => d.index * 1000 + i),
    environmentStateDim: 2,
  });

  it('keeps exactly the samples of the kept demonstrations, with their own environment rows', async () => {
    const set = await vlaTrainingSet(fakeVlm, demos.map(withEnvironment), 2);
    const subset = demonstrationSubset(set, (episode) => episode !== 1);
    const kept = [...set.sampleEpisodes.keys()].filter((i) => set.sampleEpisodes[i] !== 1);
    // 13 steps at stride 2 give 7 samples of demonstration 0, one step 1 sample of demonstration 2.
    expect(kept).toHaveLength(8);
    expect(Array.from(subset.sampleEpisodes)).toEqual(kept.map((i) => set.sampleEpisodes[i]));
    expect(subset.samples).toEqual(kept.map((i) => set.samples[i]));
    kept.forEach((i, k) => {
      expect(Array.from(subset.sampleEnvironment!.values.subarray(2 * k, 2 * k + 2)), `row ${k}`).toEqual(
        Array.from(set.sampleEnvironment!.values.subarray(2 * i, 2 * i + 2)),
      );
    });
    // What the head and its policy are built from is the whole set's.
    expect(subset.config).toEqual(set.config);
    expect(subset.stateStats).toEqual(set.stateStats);
    expect(subset.active).toEqual(set.active);
    expect(subset.tokens).toBe(set.tokens);
  });

  it('keeps null environment states null, and refuses a subset with no sample', async () => {
    const set = await vlaTrainingSet(fakeVlm, demos, 1);
    expect(demonstrationSubset(set, (e) => e === 2).sampleEnvironment).toBeNull();
    expect(demonstrationSubset(set, (e) => e === 2).samples).toHaveLength(1);
    expect(() => demonstrationSubset(set, () => false)).toThrow('no sample comes from a kept demonstration');
  });
});
