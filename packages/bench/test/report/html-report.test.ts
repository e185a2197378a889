import { describe, expect, it } from 'vitest';
import {
  chainsReport,
  describeMachine,
  episodesReport,
  escapeHtml,
  type ReportMeta,
  type RolloutVideo,
  reportHtml,
  reportPage,
} from '../../src/report/index.js';
import { EPISODES } from './fixtures.js';

const META: ReportMeta = {
  policy: 'ws://127.0.0.1:8000',
  seed: 3,
  startedAt: '2026-01-31T12:00:00.000Z',
  durationMs: 125_000,
  machine: describeMachine(),
  run: {
    suite: 'libero_spatial',
    trials: 3,
    tasks: [0, 1],
    replanSteps: 5,
    imageSize: 64,
    workers: 2,
    videos: 'sample',
  },
  versions: { node: 'v20.0.0', '@roboalign/bench': '0.2.0' },
};

const VIDEO: RolloutVideo = {
  kind: 'episode',
  suite: 'libero_spatial',
  roles: ['failure'],
  taskIndex: 1,
  trial: 1,
  instructions: ['put the bowl <on> the plate'],
  success: false,
  steps: 220,
  frames: 45,
  width: 128,
  height: 64,
  speed: 2,
  durationMs: 6500,
  webp: new Uint8Array([82, 73, 70, 70]),
};

describe('reportHtml', () => {
  const report = { ...episodesReport(EPISODES, META), videos: [VIDEO] };
  const html = reportHtml(report, [
    { caption: 'Success rate per task', svg: '<svg xmlns="http://www.w3.org/2000/svg"/>' },
  ]);

  it('is one self-contained page: no script, nothing fetched from a network', () => {
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/(src|href)="https?:/);
    expect(html).toContain('src="data:image/svg+xml;base64,');
    expect(html).toContain(`src="data:image/webp;base64,${Buffer.from(VIDEO.webp).toString('base64')}"`);
  });

  it('has a table row per task with rate, trials and mean steps, escaped', () => {
    expect(html.match(/<tr data-task="\d+">/g)).toHaveLength(3);
    expect(html).toContain(
      '<tr data-task="1"><td class="num">1</td><td>put the bowl on the plate</td><td class="num">66.7%</td><td class="num">2/3</td><td class="num">50.0</td></tr>',
    );
    expect(html).toContain('open the drawer | carefully');
    expect(html).toContain('put the bowl &lt;on&gt; the plate');
  });

  it('captions each video with outcome, trial and steps, shown 3× at 64 px', () => {
    expect(html).toContain('data-role="failure" data-frames="45" data-duration-ms="6500"');
    expect(html).toContain('width="384" height="192"');
    expect(html).toContain('<span class="fail">failure</span> in trial 1 after 220 steps');
  });

  it('lists the run manifest', () => {
    for (const text of [
      '<dt>Policy</dt><dd>ws://127.0.0.1:8000</dd>',
      '<dt>Trials per task</dt><dd>3</dd>',
      '<dt>Wall time</dt><dd>2 min 5 s</dd>',
      '<dt>Versions</dt><dd>node v20.0.0, @roboalign/bench 0.2.0</dd>',
      '<dt>Videos</dt><dd>sample</dd>',
    ])
      expect(html).toContain(text);
  });

  it('lists every shard of a merged run, and says whose machine and which span the run rows show', () => {
    const shard = (index: number) => ({
      index,
      count: 2,
      rollouts: 3,
      startedAt: `2026-01-31T12:0${index}:00.000Z`,
      durationMs: 65_000,
      workers: 4,
      machine: { ...META.machine, cpuModel: `cpu ${index}` },
    });
    const merged = reportHtml(episodesReport(EPISODES, { ...META, shards: [shard(0), shard(1)] }), []);
    expect(merged).toContain('<dt>Wall time (first shard start to last shard end)</dt><dd>2 min 5 s</dd>');
    expect(merged).toContain('<dt>Machine (shard 0)</dt>');
    expect(merged).toContain(
      '<dt>Shard 1/2</dt><dd>3 rollouts, started 2026-01-31T12:01:00.000Z, 65.0 s, 4 worker threads, cpu 1, ',
    );
    expect(html).not.toContain('Shard 0/');
  });

  it('escapes the five HTML specials', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  });
});

describe('reportPage', () => {
  it('draws the chain curve and the CALVIN table for chains, and says when there are no videos', async () => {
    const results = [5, 2].map((completed, chain) => ({
      chain,
      seed: chain,
      tasks: ['a', 'b', 'c', 'd', 'e'],
      completed,
    }));
    const html = await reportPage(chainsReport('calvin', results, { ...META, run: undefined }));
    expect(html).toContain('<tr data-chains="2"><td class="num">2</td><td class="num">100.0%</td>');
    expect(html).toContain('Average length <b>3.50</b> over 2 chains');
    expect(html).toContain('No videos (--videos none).');
    expect(html.match(/data:image\/svg\+xml;base64,/g)).toHaveLength(1);
  });
});
