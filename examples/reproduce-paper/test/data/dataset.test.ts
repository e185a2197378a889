import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ExpertPhase } from '@roboalign/bench';
import { readConversations } from '@roboalign/vlm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseActionTokens } from '../../src/data/action-text.js';
import { loadActionTokenizer } from '../../src/data/action-tokenizer.js';
import { generateData } from '../../src/data/data-stage.js';
import { readDataset } from '../../src/data/dataset-files.js';
import { fastPrompt } from '../../src/data/fast-prompts.js';
import { type GeneratedData, generateDataset, rlCount } from '../../src/data/generate-dataset.js';
import { phaseText } from '../../src/data/phase-text.js';
import { DIRECTIONS, horizontalDirection } from '../../src/data/reasoning.js';
import type { SceneFacts } from '../../src/data/scene-facts.js';
import { corpusText } from '../../src/data/text-corpus.js';
import type { ChatRow, DatasetManifest, FastRow, RlRow, RowLabel } from '../../src/data/types.js';
import { readTree, TINY, TINY_STAGE } from './fixture.js';

let root: string;
let out: string;
let data: GeneratedData;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'roboalign-data-'));
  out = join(root, 'a');
  data = await generateDataset({ ...TINY, out, workers: 0 });
}, 120_000);
afterAll(() => rm(root, { recursive: true, force: true }));

const texts = (row: ChatRow) =>
  row.messages.map((m) =>
    (Array.isArray(m.content) ? m.content : [])
      .flatMap((item) => (item.type === 'text' ? [item.text] : []))
      .join(''),
  );
const load = (manifest: DatasetManifest) => readDataset(out, manifest);

describe('generateDataset', () => {
  it('writes every source, both splits, the tokenizer, the corpus and a manifest, in the VLM chat format', async () => {
    expect(Object.keys(data.train).sort()).toEqual([
      'fast-actions',
      'general-vqa',
      'reasoning',
      'rl',
      'robot-vqa',
    ]);
    for (const [source, count] of Object.entries(TINY.train)) {
      expect(data.train[source as keyof typeof data.train].count).toBe(count);
      expect(data.heldout[source as keyof typeof data.heldout].name).toBe(`${source}-heldout`);
    }
    for (const file of [
      'manifest.json',
      'text-corpus.txt',
      'general-vqa.jsonl',
      'general-vqa.labels.jsonl',
      'general-vqa.manifest.json',
      'fast-actions-heldout.jsonl',
      'rl.jsonl',
      'action-tokenizer/tokenizer.json',
      'action-tokenizer/processor_config.json',
      'action-tokenizer/action-normalization.json',
    ])
      expect(existsSync(join(out, file)), file).toBe(true);
    // The VLM's own reader checks every row's shape and that every image file exists.
    for (const d of [...Object.values(data.train), ...Object.values(data.heldout)]) {
      const rows = await readConversations(join(out, d.file));
      expect(rows).toHaveLength(d.count);
      for (const { conversation } of rows) {
        const user = conversation.messages[0];
        expect(user.role).toBe('user');
        expect(Array.isArray(user.content) && user.content[0].type).toBe('image');
      }
    }
    const raw = (await readFile(join(out, 'general-vqa.jsonl'), 'utf8')).split('\n')[0];
    expect(raw).toMatch(
      /^\{"messages":\[\{"role":"user","content":\[\{"type":"image","path":"images\/general-vqa\/000000-000-agent\.png"\},\{"type":"text","text":".+"\}\]\},\{"role":"assistant","content":\[\{"type":"text","text":".+"\}\]\}\]\}$/,
    );
  });

  it('general VQA answers agree with the scene: boxes, counts, relations, names, colours', async () => {
    const { rows, labels } = await load(data.train['general-vqa']);
    const kinds = new Set(labels.map((l) => l.kind));
    for (const kind of ['grounding', 'count', 'relation', 'caption']) expect(kinds).toContain(kind);
    rows.forEach((row, i) => {
      const [question, answer] = texts(row as ChatRow);
      const label = labels[i];
      const scene = label.facts.scene as SceneFacts;
      expect(answer).toBe(label.answer);
      const named = [...scene.objects, ...scene.fixtures];
      if (label.kind === 'grounding') {
        const box = JSON.parse(answer) as number[];
        const target = named.find((o) => o.name === label.facts.object)!;
        expect(box).toEqual(target.box);
        expect(box.every((v) => Number.isInteger(v) && v >= 0 && v < 64)).toBe(true);
        expect(box[0] <= box[2] && box[1] <= box[3]).toBe(true);
        expect(question).toContain(target.label);
      }
      if (label.kind === 'count') {
        const m = /^How many (?:(\w+) blocks and cans|blocks and cans|blocks|cans) are on the table\?$/.exec(
          question,
        );
        expect(m, question).not.toBeNull();
        const expected = scene.objects.filter((o) =>
          m![1] !== undefined
            ? o.color === m![1]
            : question.startsWith('How many blocks and cans')
              ? true
              : o.noun === (question.startsWith('How many blocks') ? 'block' : 'can'),
        ).length;
        expect(answer).toBe(String(expected));
      }
      if (label.kind === 'relation') {
        const a = named.find((o) => o.name === label.facts.first)!;
        const b = named.find((o) => o.name === label.facts.second)!;
        const axis = label.facts.axis === 'x' ? 0 : 1;
        // The generator's claim: `first` is left of (x) or nearer the robot than (y) `second`, by 4 cm or more.
        expect(b.position[axis] - a.position[axis]).toBeGreaterThanOrEqual(0.04);
        if (answer === 'yes' || answer === 'no') {
          const asksFirst = question.indexOf(a.label) < question.indexOf(b.label);
          expect(answer).toBe(asksFirst ? 'yes' : 'no');
        } else expect(answer).toBe(`the ${a.label}`);
      }
      if (label.kind === 'identify') {
        const o = scene.objects.find((x) => x.name === label.facts.object)!;
        expect(question).toContain(JSON.stringify(o.box).replaceAll(',', ', '));
        expect(answer).toMatch(new RegExp(`^an? ${o.label}$`));
      }
      if (label.kind === 'color') expect(scene.objects.map((o) => o.color)).toContain(answer);
    });
  });

  it('robot VQA answers agree with the privileged frame: gripper pixel and state, expert phase, next chunk', async () => {
    const { rows, labels } = await load(data.train['robot-vqa']);
    expect(new Set(labels.map((l) => l.kind)).size).toBeGreaterThanOrEqual(3);
    rows.forEach((row, i) => {
      const [, answer] = texts(row as ChatRow);
      const { kind, facts } = labels[i];
      const scene = facts.scene as SceneFacts;
      if (kind === 'gripper-position') {
        const [x, y] = scene.gripper.pixel!;
        expect(answer).toBe(`(${x}, ${y})`);
        expect(x >= 0 && x < 64 && y >= 0 && y < 64).toBe(true);
      }
      if (kind === 'gripper-state') {
        expect(answer.startsWith(scene.gripper.closed ? 'closed' : 'open')).toBe(true);
        expect(answer.endsWith('nothing')).toBe(scene.gripper.holding === null);
      }
      if (kind === 'next-step') expect(answer).toBe(phaseText(facts.phase as ExpertPhase, scene));
      if (kind === 'next-motion') {
        // Recomputed from the stored chunk: net displacement of the 10 actions × 2 cm.
        const chunk = facts.chunk as number[];
        const d = [0, 1, 2].map((k) => chunk.filter((_, j) => j % 7 === k).reduce((s, v) => s + v * 0.02, 0));
        const biggest = Math.max(...d.map(Math.abs));
        if (biggest < 0.01) expect(answer).toBe('stay in place');
        else {
          const words = [
            ['right', 'left'],
            ['forward', 'backward'],
            ['up', 'down'],
          ];
          const dominant = d.findIndex((v) => Math.abs(v) === biggest);
          expect(answer).toContain(words[dominant][d[dominant] > 0 ? 0 : 1]);
        }
      }
    });
  });

  it('keeps only reasoning traces whose answer is the privileged one, and the filter rejects some', async () => {
    const { rows, labels } = await load(data.train.reasoning);
    const manifest = data.train.reasoning;
    expect(manifest.stats?.attempted).toBeGreaterThan(manifest.stats?.kept ?? 0);
    rows.forEach((row, i) => {
      const [question, answer] = texts(row as ChatRow);
      const label: RowLabel = labels[i];
      const m = /^<think>([^<]+)<\/think><answer>([A-D])<\/answer>$/.exec(answer);
      expect(m, answer).not.toBeNull();
      const options = label.facts.options as string[];
      const chosen = options['ABCD'.indexOf(m![2])];
      expect(question).toContain(`(${m![2]}) ${chosen}`);
      expect(m![1]).toContain(`So the answer is: ${chosen}.`);
      const truth = label.facts.truth as Record<string, unknown>;
      const scene = label.facts.scene as SceneFacts;
      if (label.kind === 'next-step') expect(chosen).toBe(phaseText(truth.phase as ExpertPhase, scene));
      else if (label.kind === 'target-direction') {
        const right = horizontalDirection(
          truth.gripper as [number, number, number],
          truth.targetPosition as [number, number, number],
          1.3,
        );
        expect(DIRECTIONS).toContain(right);
        expect(chosen).toBe(right);
      } else {
        expect(label.kind).toBe('holding');
        expect(chosen).toBe(scene.gripper.holding === truth.item ? 'yes' : 'no');
      }
    });
  });

  it('FAST labels decode back to the expert chunk within the quantization bound', async () => {
    const { tokenizer } = await loadActionTokenizer(data.tokenizerDir);
    expect(tokenizer.fastVocabSize).toBe(data.fastVocabSize);
    let worst = 0;
    for (const manifest of [data.train['fast-actions'], data.heldout['fast-actions']]) {
      const { rows, labels } = await load(manifest);
      rows.forEach((row, i) => {
        const [question, answer] = texts(row as ChatRow);
        const facts = labels[i].facts as { chunk: number[]; fast_ids: number[]; instruction: string };
        expect(question).toBe(fastPrompt(facts.instruction));
        expect(answer).toMatch(/^<ACTION_START>(<FAST_\d+>)+<ACTION_END>$/);
        const ids = parseActionTokens(answer)!;
        expect(ids).toEqual(facts.fast_ids);
        expect((row as FastRow).targetFastIds).toEqual(ids);
        const { actions, ok } = tokenizer.decode(ids);
        expect(ok).toBe(true);
        expect(facts.chunk).toHaveLength(70);
        let squares = 0;
        for (let j = 0; j < 70; j++) {
          const error = Math.abs(actions[j] - facts.chunk[j]);
          expect(error).toBeLessThanOrEqual(tokenizer.errorBound(j % 7) + 1e-9);
          worst = Math.max(worst, error);
          squares += error ** 2;
        }
        expect(Math.sqrt(squares / 70)).toBeLessThanOrEqual(tokenizer.rmsBound() + 1e-9);
        const images = (row as ChatRow).messages[0].content as { type: string; path?: string }[];
        expect(images.map((c) => c.path).filter(Boolean)).toEqual([
          expect.stringMatching(/-agent\.png$/),
          expect.stringMatching(/-wrist\.png$/),
        ]);
      });
    }
    expect(worst).toBeGreaterThan(0);
  });

  it('RL prompts are at most 1% of the SFT rows, ask for reasoning first and keep the FAST row’s target ids', async () => {
    const rl = data.train.rl;
    const sft = Object.values(TINY.train).reduce((a, b) => a + b, 0);
    expect(rl.count).toBe(rlCount(TINY));
    expect(rl.count).toBeGreaterThanOrEqual(1);
    expect(rl.count).toBeLessThanOrEqual(0.01 * sft);
    expect(() => rlCount({ ...TINY, rlShare: 0.02 })).toThrow(/rlShare/);
    for (const [prompts, fast] of [
      [data.train.rl, data.train['fast-actions']],
      [data.heldout.rl, data.heldout['fast-actions']],
    ] as const) {
      const { rows, labels } = await load(prompts);
      const source = await load(fast);
      rows.forEach((row, i) => {
        const r = row as RlRow;
        expect(r.messages).toHaveLength(1);
        expect(texts(r)[0]).toContain('<think></think>');
        const fastRow = source.rows[labels[i].facts.fastRow as number] as FastRow;
        expect(r.targetFastIds).toEqual(fastRow.targetFastIds);
        expect(r.messages[0].content.slice(0, 2)).toEqual(
          (fastRow.messages[0].content as unknown[]).slice(0, 2),
        );
        expect(texts(r)[0]).toContain(r.instruction);
      });
    }
    expect(data.heldout.rl.count).toBe(TINY.heldout.rl);
  });

  it('the text corpus holds every training question and answer, without action tokens or tags', async () => {
    const corpus = (await readFile(data.corpus, 'utf8')).split('\n').filter((l) => l !== '');
    expect(corpus.some((l) => /<FAST_|<ACTION_|<\/?think>|<\/?answer>/.test(l))).toBe(false);
    // One line per non-empty text of every training row; held-out rows stay out of the BPE.
    let expected = 0;
    for (const manifest of Object.values(data.train)) {
      const { rows } = await load(manifest);
      for (const row of rows) expected += texts(row as ChatRow).filter((t) => corpusText(t) !== '').length;
    }
    expect(corpus).toHaveLength(expected);
    const { rows } = await load(data.train['general-vqa']);
    expect(corpus).toContain(texts(rows[0] as ChatRow)[0]);
    expect(corpus).toContain(
      'What action should the robot take to pick up the blue block on the left and place it on the plate?',
    );
  });

  it('as the pipeline’s data stage, maps the same datasets to paths without regenerating them', async () => {
    const before = await readTree(out);
    const stage = await generateData({ ...TINY_STAGE, out, workers: 0 });
    expect(stage.train.general).toBe(join(out, 'general-vqa.jsonl'));
    expect(stage.heldOut.rl).toBe(join(out, 'rl-heldout.jsonl'));
    expect(stage.fastTokenizer).toBe(data.tokenizerDir);
    expect(stage.fastVocabSize).toBe(data.fastVocabSize);
    for (const path of [...Object.values(stage.train), ...Object.values(stage.heldOut), stage.corpus])
      expect(existsSync(path), path).toBe(true);
    expect(stage.counts['rl-heldout']).toBe(6);
    const after = await readTree(out);
    expect([...after].filter(([path, bytes]) => !bytes.equals(before.get(path)!)).map(([p]) => p)).toEqual(
      [],
    );
  });

  it('is byte-identical with 2 worker threads, and a second call reuses every file', async () => {
    const other = join(root, 'b');
    await generateDataset({ ...TINY, out: other, workers: 2 });
    const [a, b] = await Promise.all([readTree(out), readTree(other)]);
    expect([...b.keys()].sort()).toEqual([...a.keys()].sort());
    const differing = [...a].filter(([path, bytes]) => !bytes.equals(b.get(path)!)).map(([path]) => path);
    expect(differing).toEqual([]);
    const again = await generateDataset({ ...TINY, out, workers: 0 });
    for (const d of [...Object.values(again.train), ...Object.values(again.heldout)])
      expect(d.resumed, d.name).toBe(true);
    const after = await readTree(out);
    expect([...after].filter(([path, bytes]) => !bytes.equals(a.get(path)!))).toEqual([]);
  }, 120_000);
});
