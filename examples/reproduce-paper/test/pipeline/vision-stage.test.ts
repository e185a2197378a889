import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DataStageResult, generateData } from '../../src/data/data-stage.js';
import { patchClassNames, patchLabels } from '../../src/data/patch-labels.js';
import { labelledFrames } from '../../src/pipeline/vision-stage.js';
import { TINY_STAGE } from '../data/fixture.js';

let root: string;
let data: DataStageResult;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'roboalign-vision-'));
  data = await generateData({ ...TINY_STAGE, out: join(root, 'data'), workers: 0 });
}, 120_000);
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('labelledFrames', () => {
  it("gives each agent-view image of the sources once, with its own frame's scene facts", async () => {
    const sources = [data.train.general, data.train.robot, data.train.reasoning];
    const frames = await labelledFrames(sources);
    expect(frames.length).toBeGreaterThan(10);
    expect(new Set(frames.map((f) => f.path)).size).toBe(frames.length);
    for (const f of frames) expect(f.path).toMatch(/agent/);
    // The facts are the frame's: the first general-VQA row's image and labels line, read independently.
    const [row] = (await readFile(data.train.general, 'utf8')).split('\n');
    const [label] = (await readFile(data.train.general.replace(/\.jsonl$/, '.labels.jsonl'), 'utf8')).split(
      '\n',
    );
    const imagePath = JSON.stringify(JSON.parse(row)).match(/"path":"([^"]+)"/)![1];
    const first = frames.find((f) => f.path.endsWith(imagePath.replace(/^\.\//, '')))!;
    expect(first.scene).toEqual(JSON.parse(label).facts.scene);
    // Every frame can be labelled per patch (8-pixel patches).
    const classes = patchClassNames(frames.map((f) => f.scene));
    for (const f of frames)
      expect(patchLabels(f.scene, 8, classes)).toHaveLength((f.scene.imageSize / 8) ** 2);
  });

  it('names a labels file that does not line up with its rows, and a path that is not JSONL', async () => {
    const labels = data.train.general.replace(/\.jsonl$/, '.labels.jsonl');
    const lines = (await readFile(labels, 'utf8')).split('\n').filter((l) => l.length > 0);
    await writeFile(labels, `${lines.slice(1).join('\n')}\n`);
    await expect(labelledFrames([data.train.general])).rejects.toThrow(
      `${labels} has ${lines.length - 1} lines for ${lines.length} rows`,
    );
    await expect(labelledFrames([join(root, 'data', 'general-vqa.json')])).rejects.toThrow(
      /is not a \.jsonl file/,
    );
  });
});
