// The alternative alignment targets of issue #22: the next high-level step in words and the gripper's pixel
// trajectory, labelled on the FAST rows and drawn as RL prompts from the same rows as the FAST RL prompts.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ExpertPhase, pixelIndex, projectToAgentView } from '@roboalign/bench';
import { formatReward, highLevelAccuracy, parseTrajectory, trajectoryAccuracy } from '@roboalign/rewards';
import { mulberry32, seedFromParts } from '@roboalign/utils';
import { readConversations } from '@roboalign/vlm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateAlternativeRlData } from '../../src/data/alternative-rl-data.js';
import { ALTERNATIVE_SFT_SOURCES } from '../../src/data/alternative-sft-data.js';
import { TRAJECTORY_STRIDE, trajectoryPixels, trajectoryText } from '../../src/data/alternative-targets.js';
import { type DataStageResult, generateData } from '../../src/data/data-stage.js';
import { readDataset, writeDataset } from '../../src/data/dataset-files.js';
import { EnvCache } from '../../src/data/environments.js';
import { fastPrompt, highLevelPrompt, rlPrompt, trajectoryPrompt } from '../../src/data/fast-prompts.js';
import { generateDataset } from '../../src/data/generate-dataset.js';
import { phaseText } from '../../src/data/phase-text.js';
import { futureRows, type PoolFrame, poolTask, runPoolEpisode } from '../../src/data/pool-episodes.js';
import { ACTION_HORIZON } from '../../src/data/producers.js';
import { promptImages } from '../../src/data/rl-data.js';
import { unitSeed } from '../../src/data/seeds.js';
import type {
  ChatRow,
  DatasetManifest,
  HighLevelRlRow,
  ProducedRow,
  RlRow,
  RowLabel,
  Split,
  TrajectoryRlRow,
} from '../../src/data/types.js';
import { readTree, TINY, TINY_STAGE } from './fixture.js';

/** Points per trajectory: every {@link TRAJECTORY_STRIDE}-th step of the FAST horizon. */
const K = Math.ceil(ACTION_HORIZON / TRAJECTORY_STRIDE);
/** The tiny dataset's image size (the default). */
const SIZE = 64;

describe('trajectory text and prompts', () => {
  it('writes [(x,y),…] without spaces, and parseTrajectory reads it back', () => {
    const points: [number, number][] = [
      [12, 30],
      [13, 29],
      [0, 63],
    ];
    expect(trajectoryText(points)).toBe('[(12,30),(13,29),(0,63)]');
    expect(parseTrajectory(trajectoryText(points))).toEqual(points);
    const answer = `<think>The gripper moves right.</think><answer>${trajectoryText(points)}</answer>`;
    expect(parseTrajectory(answer)).toEqual(points);
    expect(trajectoryAccuracy(answer, points, { imageSize: SIZE })).toBe(1);
    expect(() => trajectoryText([])).toThrow(/empty/);
    expect(() => trajectoryText([[1.5, 2]])).toThrow(/point 0 is \[1.5, 2\], not two integers/);
  });

  it('projects every other grasp point into the agent view, clamped into the image', () => {
    // The gripper's home position lands in pixel [32, 23] of a 64² image (bench's example).
    const home = [0, -0.15, 0.25];
    expect(trajectoryPixels(home, SIZE)).toEqual([[32, 23]]);
    const path = Float64Array.from([...home, 9, 9, 9, ...home, 9, 9, 9, 0.1, -0.15, 0.25]);
    const pixels = trajectoryPixels(path, SIZE);
    expect(pixels).toHaveLength(3);
    expect(pixels[0]).toEqual([32, 23]);
    expect(pixels[2][0]).toBeGreaterThan(32); // 10 cm to the right
    expect(trajectoryPixels(path, SIZE, 1)[1].every((v) => v >= 0 && v < SIZE)).toBe(true);
    expect(() => trajectoryPixels([0, 0], SIZE)).toThrow(/\[steps, 3\]/);
  });

  it('pads a window past the end by repeating the last row', () => {
    const record = Float64Array.from([1, 1, 1, 2, 2, 2, 3, 3, 3]);
    expect(Array.from(futureRows(record, 3, 1, 4))).toEqual([2, 2, 2, 3, 3, 3, 3, 3, 3, 3, 3, 3]);
    expect(() => futureRows(record, 3, 3, 1)).toThrow(/from must be a step in \[0, 2\]/);
  });

  it('ask the FAST question, then for reasoning first and the answer in the target’s form', () => {
    const state = 'State: 1 2 3 4;';
    const asked = fastPrompt('open the drawer', state);
    expect(highLevelPrompt('open the drawer', state)).toBe(
      `${asked} First think step by step inside <think></think>, then answer with the next step in words.`,
    );
    expect(trajectoryPrompt('open the drawer')).toBe(
      `${fastPrompt('open the drawer')} First think step by step inside <think></think>, then answer with the gripper's pixel positions in the first image over the next half second as [(x,y),...].`,
    );
    expect(rlPrompt('open the drawer', state)).toBe(
      `${asked} First think step by step inside <think></think>, then answer with the action tokens.`,
    );
  });
});

describe('generateDataset with alternativeTargets', () => {
  let root: string;
  let on: string;
  let off: string;
  let stage: DataStageResult;
  const envs = new EnvCache();

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'alternative-targets-'));
    on = join(root, 'on');
    off = join(root, 'off');
    // Half the FAST training rows think-then-act: the alternative targets' SFT rows are made from those.
    const fast = { ...TINY_STAGE.fast, thinkShare: 0.5 };
    stage = await generateData({ ...TINY_STAGE, fast, out: on, workers: 0, alternativeTargets: true });
    await generateDataset({ ...TINY, thinkShare: 0.5, out: off, workers: 0 });
  }, 240_000);
  afterAll(async () => {
    await envs.dispose();
    await rm(root, { recursive: true, force: true });
  });

  const manifestOf = async (name: string): Promise<DatasetManifest> =>
    JSON.parse((await readTree(on)).get(`${name}.manifest.json`)!.toString('utf8')) as DatasetManifest;
  const suffix = (split: Split) => (split === 'heldout' ? '-heldout' : '');

  it('exposes the two targets’ datasets through the data stage, both splits', async () => {
    expect(stage.train.rlHighLevel).toBe(join(on, 'rl-highlevel.jsonl'));
    expect(stage.train.rlTrajectory).toBe(join(on, 'rl-trajectory.jsonl'));
    expect(stage.heldOut.rlHighLevel).toBe(join(on, 'rl-highlevel-heldout.jsonl'));
    expect(stage.heldOut.rlTrajectory).toBe(join(on, 'rl-trajectory-heldout.jsonl'));
    expect(stage.counts['rl-trajectory-heldout']).toBe(TINY.heldout.rl);
    expect(stage.counts['rl-trajectory']).toBe(stage.counts.rl);
    // The VLM's own reader checks every row's shape and that every image file exists.
    for (const path of [stage.train.rlHighLevel!, stage.heldOut.rlTrajectory!]) {
      const rows = await readConversations(path);
      expect(rows.length).toBeGreaterThan(0);
    }
  });

  it('labels every FAST row with the frame’s phase in words and the grasp point’s pixels over the next steps', async () => {
    let checked = 0;
    let pairs = 0;
    for (const split of ['train', 'heldout'] as const) {
      const { rows, labels } = await readDataset(on, await manifestOf(`fast-actions${suffix(split)}`));
      // Re-run each unit's pool episode as the producer does: same layout seed, same frame draws.
      const frames = new Map<number, PoolFrame[]>();
      const framesOf = async (unit: number) => {
        if (!frames.has(unit)) {
          const seed = unitSeed('fast-actions', split, TINY.seed, unit);
          const goals = await runPoolEpisode(envs, poolTask(unit), seed, {
            frameStride: 3,
            horizon: ACTION_HORIZON,
            imageSize: SIZE,
            rng: mulberry32(seedFromParts(seed, 'questions')),
          });
          frames.set(
            unit,
            goals.filter((g) => g.success).flatMap((g) => g.frames),
          );
        }
        return frames.get(unit)!;
      };
      for (const [i, label] of labels.entries()) {
        const facts = label.facts as {
          unit: number;
          goal: number;
          step: number;
          chunk: number[];
          high_level?: string;
          trajectory: [number, number][];
        };
        const unitFrames = await framesOf(facts.unit);
        const frame = unitFrames.find((f) => f.goalIndex === facts.goal && f.step === facts.step)!;
        expect(Array.from(frame.chunk)).toEqual(facts.chunk);
        expect(facts.high_level).toBe(phaseText(frame.phase as ExpertPhase, frame.facts));
        expect(facts.trajectory).toHaveLength(K);
        for (const [x, y] of facts.trajectory) {
          expect(Number.isInteger(x) && Number.isInteger(y)).toBe(true);
          expect(x >= 0 && x < SIZE && y >= 0 && y < SIZE).toBe(true);
        }
        // The first point: the grasp point at the frame's step, as the scene snapshot records it.
        expect(facts.trajectory[0]).toEqual(
          pixelIndex(projectToAgentView(frame.facts.gripper.position, SIZE)),
        );
        expect(facts.trajectory).toEqual(trajectoryPixels(frame.trajectory, SIZE));
        // Later points: the grasp point of a later frame of the same instruction, `Δ` steps on.
        for (const later of unitFrames) {
          const delta = later.step - frame.step;
          if (later.goalIndex !== frame.goalIndex || delta <= 0 || delta >= ACTION_HORIZON) continue;
          expect(Array.from(frame.trajectory.subarray(3 * delta, 3 * delta + 3))).toEqual(
            later.facts.gripper.position,
          );
          if (delta % TRAJECTORY_STRIDE === 0)
            expect(facts.trajectory[delta / TRAJECTORY_STRIDE]).toEqual(
              pixelIndex(projectToAgentView(later.facts.gripper.position, SIZE)),
            );
          pairs++;
        }
        expect((rows[i] as ChatRow).messages).toHaveLength(2);
        checked++;
      }
    }
    expect(checked).toBe(TINY.train['fast-actions'] + TINY.heldout['fast-actions']);
    expect(pairs).toBeGreaterThan(checked);
  }, 120_000);

  it('draws the alternative RL prompts from the same FAST rows as the FAST RL prompts, with their targets', async () => {
    for (const split of ['train', 'heldout'] as const) {
      const fast = await readDataset(on, await manifestOf(`fast-actions${suffix(split)}`));
      const rl = await readDataset(on, await manifestOf(`rl${suffix(split)}`));
      const highLevelManifest = await manifestOf(`rl-highlevel${suffix(split)}`);
      const highLevel = await readDataset(on, highLevelManifest);
      const trajectory = await readDataset(on, await manifestOf(`rl-trajectory${suffix(split)}`));
      const fastRows = (labels: RowLabel[]) => labels.map((l) => l.facts.fastRow as number);
      expect(rl.rows.length).toBeGreaterThan(0);
      expect(fastRows(trajectory.labels)).toEqual(fastRows(rl.labels));
      // No pool frame here lacks a phase, so no high-level row is left out.
      expect(highLevelManifest.stats).toEqual({ drawn: rl.rows.length, withoutPhase: 0 });
      expect(fastRows(highLevel.labels)).toEqual(fastRows(rl.labels));
      rl.rows.forEach((row, i) => {
        const fastRow = fastRows(rl.labels)[i];
        const facts = fast.labels[fastRow].facts as {
          instruction: string;
          high_level: string;
          trajectory: [number, number][];
        };
        const h = highLevel.rows[i] as HighLevelRlRow;
        const t = trajectory.rows[i] as TrajectoryRlRow;
        // Same images (agent and wrist view of the same FAST row), same instruction and FAST ids.
        for (const other of [h, t]) {
          expect(other.messages).toHaveLength(1);
          expect(other.messages[0].content.slice(0, 2)).toEqual(row.messages[0].content.slice(0, 2));
          expect(other.targetFastIds).toEqual((row as RlRow).targetFastIds);
          expect(other.instruction).toBe((row as RlRow).instruction);
        }
        const question = (r: ChatRow) => (r.messages[0].content as { text?: string }[]).at(-1)!.text;
        expect(question(h)).toBe(highLevelPrompt(facts.instruction));
        expect(question(t)).toBe(trajectoryPrompt(facts.instruction));
        expect(h.targetText).toBe(facts.high_level);
        expect(highLevel.labels[i]).toMatchObject({ kind: 'rl-highlevel-prompt', answer: facts.high_level });
        expect(t.targetTrajectory).toEqual(facts.trajectory);
        expect(t.imageSize).toBe(SIZE);
        expect(trajectory.labels[i].answer).toBe(trajectoryText(facts.trajectory));
        expect(parseTrajectory(trajectory.labels[i].answer)).toEqual(t.targetTrajectory);
        // The expert's answers earn the full reward of each target.
        const answer = (text: string) => `<think>Look at the gripper.</think><answer>${text}</answer>`;
        expect(formatReward(answer(h.targetText))).toBe(1);
        expect(highLevelAccuracy(answer(h.targetText), h.targetText)).toBe(1);
        expect(
          trajectoryAccuracy(answer(trajectory.labels[i].answer), t.targetTrajectory, {
            imageSize: t.imageSize,
          }),
        ).toBe(1);
      });
    }
  });

  it('leaves out drawn rows without a phase from the high-level target only', async () => {
    // A copy of the held-out FAST dataset with the first drawn row's phase removed.
    const from = await manifestOf('fast-actions-heldout');
    const { rows, labels } = await readDataset(on, from);
    const drawn = (await readDataset(on, await manifestOf('rl-heldout'))).labels.map((l) => l.facts.fastRow);
    const copy = join(root, 'no-phase');
    const produced = rows.map(
      (row, i): ProducedRow => ({
        row,
        label:
          i === drawn[0] ? { ...labels[i], facts: { ...labels[i].facts, high_level: undefined } } : labels[i],
        images: [],
      }),
    );
    const { name, source, split, seed, units, config, imagesDir } = from;
    const manifest = await writeDataset(
      copy,
      { name, source, split, seed, units, config, imagesDir },
      produced,
    );
    const options = { from: manifest, out: copy, count: TINY.heldout.rl, seed: TINY.seed };
    const h = await generateAlternativeRlData({ ...options, target: 'high-level' });
    const t = await generateAlternativeRlData({ ...options, target: 'trajectory' });
    expect(h.count).toBe(TINY.heldout.rl - 1);
    expect(h.stats).toEqual({ drawn: TINY.heldout.rl, withoutPhase: 1 });
    expect(t.count).toBe(TINY.heldout.rl);
    const kept = (await readDataset(copy, h)).labels.map((l) => l.facts.fastRow);
    expect(kept).toEqual(drawn.slice(1));
  });

  it('teaches each target on every think-then-act FAST row: same images and reasoning, the target as answer', async () => {
    const fast = await readDataset(on, await manifestOf('fast-actions'));
    const thinking = fast.labels.flatMap((label, index) => (label.kind === 'fast-think-act' ? [index] : []));
    expect(thinking.length).toBeGreaterThan(0);
    for (const target of ['high-level', 'trajectory'] as const) {
      const path = target === 'high-level' ? stage.train.sftHighLevel! : stage.train.sftTrajectory!;
      expect((await readConversations(path)).length).toBe(thinking.length); // checks shapes and image files
      const { rows, labels } = await readDataset(on, await manifestOf(ALTERNATIVE_SFT_SOURCES[target]));
      expect(labels.map((l) => l.facts.fastRow)).toEqual(thinking);
      rows.forEach((conversation, k) => {
        const index = thinking[k];
        const facts = fast.labels[index].facts as {
          instruction: string;
          state_text?: string;
          high_level: string;
          trajectory: [number, number][];
        };
        const [user, assistant] = conversation.messages;
        const texts = (content: typeof user.content) =>
          typeof content === 'string'
            ? [content]
            : content.flatMap((c) => (c.type === 'text' ? [c.text] : []));
        const prompt = target === 'high-level' ? highLevelPrompt : trajectoryPrompt;
        expect(texts(user.content)).toEqual([prompt(facts.instruction, facts.state_text)]);
        expect(promptImages(conversation)).toEqual(promptImages(fast.rows[index]));
        const [answer] = texts(assistant.content);
        const think = fast.labels[index].answer.slice(0, fast.labels[index].answer.indexOf('</think>') + 8);
        expect(answer.startsWith(think)).toBe(true);
        expect(formatReward(answer)).toBe(1);
        if (target === 'high-level') expect(highLevelAccuracy(answer, facts.high_level)).toBe(1);
        else expect(parseTrajectory(answer)).toEqual(facts.trajectory);
      });
    }
  });

  it('refuses FAST data written without the option', async () => {
    const from = JSON.parse(
      (await readTree(off)).get('fast-actions.manifest.json')!.toString('utf8'),
    ) as DatasetManifest;
    await expect(
      generateAlternativeRlData({ from, out: off, target: 'trajectory', count: 1, seed: TINY.seed }),
    ).rejects.toThrow(/fast-actions was written without alternativeTargets/);
  });

  it('changes no row, image, corpus or tokenizer file: only the FAST labels and the manifests that name the option', async () => {
    const [a, b] = await Promise.all([readTree(on), readTree(off)]);
    const added = [...a.keys()].filter((path) => !b.has(path)).sort();
    expect(added).toEqual(
      [
        'rl-highlevel',
        'rl-highlevel-heldout',
        'rl-trajectory',
        'rl-trajectory-heldout',
        'sft-highlevel',
        'sft-trajectory',
      ]
        .flatMap((name) => [`${name}.jsonl`, `${name}.labels.jsonl`, `${name}.manifest.json`])
        .sort(),
    );
    expect([...b.keys()].filter((path) => !a.has(path))).toEqual([]);
    const differing = [...b].filter(([path, bytes]) => !bytes.equals(a.get(path)!)).map(([path]) => path);
    expect(differing.sort()).toEqual(
      [
        'fast-actions-heldout.labels.jsonl',
        'fast-actions-heldout.manifest.json',
        'fast-actions.labels.jsonl',
        'fast-actions.manifest.json',
        'manifest.json',
        'rl-heldout.manifest.json',
        'rl.manifest.json',
      ].sort(),
    );
    // The FAST labels gain the two targets and keep everything else.
    const lines = (tree: Map<string, Buffer>) =>
      tree
        .get('fast-actions.labels.jsonl')!
        .toString('utf8')
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as RowLabel);
    const [withTargets, without] = [lines(a), lines(b)];
    withTargets.forEach((label, i) => {
      const { high_level, trajectory, ...rest } = label.facts;
      expect(typeof high_level).toBe('string');
      expect(trajectory).toHaveLength(K);
      expect({ ...label, facts: rest }).toEqual(without[i]);
    });
  });
});
