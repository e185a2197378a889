// The evaluation report page as a person sees it: the built CLI writes index.html, headless Chromium opens it
// from disk, and each rollout animation must decode. Needs Debian's Chromium (`apt-get install -y chromium`;
// .ci/run installs it); without it the test skips with a notice.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { type BrowserContext, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const HAVE_CHROMIUM = existsSync(CHROMIUM);
if (!HAVE_CHROMIUM)
  console.warn(
    `[repo] ${CHROMIUM} is absent: skipping the report-page browser test (apt-get install -y chromium)`,
  );
const CLI = resolve(import.meta.dirname, '../packages/bench/dist/cli.js');
const run = promisify(execFile);
const BROWSER_SCRIPT = readFileSync(join(import.meta.dirname, 'report-page.browser.js'), 'utf8');

/** What the page shows, read in the browser. */
interface PageFacts {
  rows: string[];
  chartImages: number;
  animations: {
    role: string;
    kind: string;
    frameCount: number;
    durationMs: number;
    firstFrame: { width: number; height: number };
    shownWidth: number;
  }[];
}

async function readPage(
  context: BrowserContext,
  file: string,
): Promise<{ facts: PageFacts; errors: string[] }> {
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('requestfailed', (r) => errors.push(`request failed: ${r.url().slice(0, 80)}`));
  await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
  // The in-page script is plain browser JavaScript in a file of its own (this project compiles without DOM types).
  const facts = (await page.evaluate(`${BROWSER_SCRIPT}\nreadReportPage()`)) as PageFacts;
  await page.close();
  return { facts, errors };
}

describe.skipIf(!HAVE_CHROMIUM)('the evaluation report page in headless Chromium', () => {
  let dir: string;
  let context: BrowserContext;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'report-page-'));
    context = await chromium.launchPersistentContext(join(dir, 'profile'), {
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    });
  }, 60_000);
  afterAll(async () => {
    await context?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('episodes: the table has a row per task and every rollout animation decodes', async () => {
    const out = join(dir, 'goal');
    await run(
      'node',
      [
        CLI,
        'evaluate',
        '--suite',
        'libero-goal',
        '--policy',
        'random',
        '--tasks',
        '0,2',
        '--trials',
        '2',
      ].concat(['--workers', '2', '--out', out]),
      { timeout: 120_000 },
    );
    const { facts, errors } = await readPage(context, join(out, 'index.html'));
    expect(errors).toEqual([]);
    expect(facts.rows).toEqual(['0', '2']);
    expect(facts.chartImages).toBe(1);
    // Random actions fail both tasks: `sample` keeps the first failure of each.
    expect(facts.animations.map((a) => a.role)).toEqual(['failure', 'failure']);
    for (const a of facts.animations) {
      expect(a.frameCount).toBeGreaterThan(1);
      expect(a.durationMs).toBeGreaterThan(0);
      expect(a.firstFrame).toEqual({ width: 128, height: 64 });
      expect(a.shownWidth).toBe(128);
    }
  }, 180_000);

  it('chains: one row, and videos of the longest and the shortest chain', async () => {
    const out = join(dir, 'calvin');
    await run(
      'node',
      [CLI, 'evaluate', '--suite', 'calvin', '--policy', 'expert', '--chains', '2', '--out', out],
      {
        timeout: 120_000,
      },
    );
    const { facts, errors } = await readPage(context, join(out, 'index.html'));
    expect(errors).toEqual([]);
    expect(facts.rows).toEqual(['2']);
    expect(facts.chartImages).toBe(1);
    // The expert completes both chains: chain 0 is both the longest and the shortest (ties go to chain 0).
    expect(facts.animations.map((a) => [a.kind, a.role])).toEqual([['chain', 'longest, shortest']]);
    expect(facts.animations[0].frameCount).toBeGreaterThan(5);
    expect(facts.animations[0].durationMs).toBeGreaterThan(0);
  }, 180_000);
});

describe('the bench README report example, against the built package', () => {
  it('evaluates with videos, renders the page and a training curve', async () => {
    const { evaluate, plotTrainingCurve, reportPage } = await import('@roboalign/bench');
    const report = await evaluate('expert', 'libero-goal', { trials: 2, tasks: [0, 2], videos: 'sample' });
    const html = await reportPage(report);
    expect(html.match(/<figure class="rollout"/g)).toHaveLength(2);
    const loss = [0, 1, 2, 3].map((i) => ({ step: 100 * i, value: 2 / (i + 1) }));
    const png = await plotTrainingCurve([{ name: 'train', points: loss }], { logY: true });
    expect([...png.subarray(1, 4)]).toEqual([0x50, 0x4e, 0x47]);
  }, 120_000);
});
