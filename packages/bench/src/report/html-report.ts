import type { MachineInfo } from './machine.js';
import { formatAvgLen, formatPercent } from './markdown.js';
import type { BenchmarkReport, ChainsReport, EpisodesReport, ReportMeta, SuiteSummary } from './results.js';
import type { RolloutVideo } from './rollout-video.js';

/** A chart of the page: a caption and a standalone SVG document. */
export interface PageChart {
  readonly caption: string;
  readonly svg: string;
}

/** Makes text safe inside HTML elements and attribute values. */
export function escapeHtml(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

function dataUri(mime: string, bytes: Uint8Array | string): string {
  return `data:${mime};base64,${Buffer.from(bytes).toString('base64')}`;
}

const STYLE = `
body { font-family: "DejaVu Sans", system-ui, sans-serif; margin: 2rem auto; max-width: 1100px; padding: 0 1rem; color: #1e1e1e; }
h1 { font-size: 1.5rem; margin-bottom: 0.2rem; }
h2 { font-size: 1.2rem; margin-top: 2rem; border-bottom: 1px solid #ddd; padding-bottom: 0.2rem; }
.headline { font-size: 1.1rem; color: #333; }
table { border-collapse: collapse; margin: 0.5rem 0; }
th, td { border-bottom: 1px solid #e4e4e4; padding: 0.3rem 0.7rem; text-align: left; vertical-align: top; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.charts { display: flex; flex-wrap: wrap; gap: 1rem; }
.charts figure { margin: 0; }
.charts img { max-width: 100%; }
.task { margin: 1rem 0 1.5rem; }
.task h3 { font-size: 1rem; margin: 0 0 0.4rem; }
.videos { display: flex; flex-wrap: wrap; gap: 1.2rem; }
figure.rollout { margin: 0; }
figure.rollout img { image-rendering: pixelated; border: 1px solid #ccc; display: block; }
figure.rollout figcaption { font-size: 0.85rem; margin-top: 0.3rem; max-width: 420px; }
.ok { color: #2e7d32; font-weight: bold; }
.fail { color: #c62828; font-weight: bold; }
.note { color: #555; font-size: 0.85rem; }
ol.instructions { margin: 0.2rem 0 0; padding-left: 1.2rem; }
dl.manifest { display: grid; grid-template-columns: max-content 1fr; gap: 0.25rem 1rem; }
dl.manifest dt { font-weight: bold; }
dl.manifest dd { margin: 0; }
`;

function outcome(success: boolean, text = success ? 'success' : 'failure'): string {
  return `<span class="${success ? 'ok' : 'fail'}">${escapeHtml(text)}</span>`;
}

function meanSteps(report: EpisodesReport, suite: string, taskIndex: number): number {
  const episodes = report.episodes.filter((e) => e.suite === suite && e.taskIndex === taskIndex);
  return episodes.reduce((n, e) => n + e.steps, 0) / Math.max(1, episodes.length);
}

function suiteTable(report: EpisodesReport, suite: SuiteSummary): string {
  const rows = suite.tasks
    .map(
      (t) =>
        `<tr data-task="${t.taskIndex}"><td class="num">${t.taskIndex}</td><td>${escapeHtml(t.instruction)}</td>` +
        `<td class="num">${formatPercent(t.successRate)}</td><td class="num">${t.successes}/${t.trials}</td>` +
        `<td class="num">${meanSteps(report, suite.suite, t.taskIndex).toFixed(1)}</td></tr>`,
    )
    .join('\n');
  return `<table class="results" data-suite="${escapeHtml(suite.suite)}">
<thead><tr><th class="num">Task</th><th>Instruction</th><th class="num">Success</th><th class="num">Trials</th><th class="num">Mean steps</th></tr></thead>
<tbody>
${rows}
</tbody>
<tfoot><tr data-task="all"><td></td><td><b>All tasks</b></td><td class="num"><b>${formatPercent(suite.successRate)}</b></td><td class="num">${suite.successes}/${suite.trials}</td><td class="num">${(report.episodes.filter((e) => e.suite === suite.suite).reduce((n, e) => n + e.steps, 0) / Math.max(1, suite.trials)).toFixed(1)}</td></tr></tfoot>
</table>`;
}

function chainsTable(report: ChainsReport): string {
  const rates = report.chains.stepRates.map((r) => `<td class="num">${formatPercent(r)}</td>`).join('');
  return `<table class="results" data-suite="${escapeHtml(report.chains.suite)}">
<thead><tr><th class="num">Chains</th>${[1, 2, 3, 4, 5].map((k) => `<th class="num">${k}/5</th>`).join('')}<th class="num">Avg. Len.</th></tr></thead>
<tbody><tr data-chains="${report.chains.chains}"><td class="num">${report.chains.chains}</td>${rates}<td class="num">${formatAvgLen(report.avgLen)}</td></tr></tbody>
</table>`;
}

function videoFigure(video: RolloutVideo): string {
  const scale = video.height <= 96 ? 3 : video.height <= 160 ? 2 : 1;
  const roles = video.roles.join(', ');
  const text =
    video.kind === 'episode'
      ? `${outcome(video.success)} in trial ${video.trial} after ${video.steps} steps<br>${escapeHtml(video.instructions[0])}`
      : `<b>${escapeHtml(roles)}</b> chain (${video.chain}): ${outcome(video.success, `${video.completed}/5 completed`)}, ${video.steps} steps` +
        `<ol class="instructions">${video.instructions.map((instruction, i) => `<li>${escapeHtml(instruction)} ${i < (video.completed ?? 0) ? outcome(true, '✓') : outcome(false, '✗')}</li>`).join('')}</ol>`;
  return `<figure class="rollout" data-kind="${video.kind}" data-role="${escapeHtml(roles)}" data-frames="${video.frames}" data-duration-ms="${video.durationMs}">
<img src="${dataUri('image/webp', video.webp)}" width="${video.width * scale}" height="${video.height * scale}" alt="${escapeHtml(`${roles}: ${video.instructions.join(' / ')}`)}">
<figcaption>${text}</figcaption>
</figure>`;
}

function videosSection(report: BenchmarkReport): string {
  const videos = report.videos ?? [];
  const mode = report.meta.run?.videos ?? (report.videos ? 'unknown' : 'none');
  if (videos.length === 0)
    return `<h2>Rollouts</h2>\n<p class="note">No videos (--videos ${escapeHtml(mode)}).</p>`;
  const first = videos[0];
  const note = `<p class="note">Agent view (left) beside wrist view (right), one frame each time the policy was asked for actions (every ${report.meta.run?.replanSteps ?? '?'} control steps at 20 Hz) and the final state, played at ${first.speed}× speed. Videos kept: ${escapeHtml(mode)}.</p>`;
  if (report.kind === 'chains')
    return `<h2>Rollouts</h2>\n${note}\n<div class="videos">${videos.map(videoFigure).join('\n')}</div>`;
  const byTask = new Map<number, RolloutVideo[]>();
  for (const v of videos) byTask.set(v.taskIndex ?? 0, [...(byTask.get(v.taskIndex ?? 0) ?? []), v]);
  const tasks = [...byTask]
    .sort((a, b) => a[0] - b[0])
    .map(
      ([task, list]) =>
        `<section class="task" data-task="${task}"><h3>Task ${task}: ${escapeHtml(list[0].instructions[0])}</h3>\n<div class="videos">${list.map(videoFigure).join('\n')}</div></section>`,
    );
  return `<h2>Rollouts</h2>\n${note}\n${tasks.join('\n')}`;
}

function formatDuration(ms: number): string {
  const s = ms / 1000;
  return s < 120 ? `${s.toFixed(1)} s` : `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
}

function machineText(machine: MachineInfo): string {
  return `${machine.cpuModel}, ${machine.cpuCount} CPUs, ${(machine.totalMemoryBytes / 2 ** 30).toFixed(1)} GiB, ${machine.platform}/${machine.arch}, Node ${machine.nodeVersion}${machine.cpuFlags?.length ? `, ${machine.cpuFlags.join(' ')}` : ''}`;
}

function manifest(meta: ReportMeta): string {
  const run = meta.run;
  const items: [string, string][] = [
    ['Policy', meta.policy],
    ['Seed', String(meta.seed)],
    ...(run
      ? ([
          ['Suite', run.suite],
          ...(run.trials !== undefined ? [['Trials per task', String(run.trials)]] : []),
          ...(run.tasks !== undefined ? [['Tasks', run.tasks.join(', ')]] : []),
          ...(run.chains !== undefined ? [['Chains', String(run.chains)]] : []),
          ['Replan every', `${run.replanSteps} steps`],
          ['Image size', `${run.imageSize}×${run.imageSize}`],
          ['Worker threads', String(run.workers)],
          ['Videos', run.videos],
        ] as [string, string][])
      : []),
    ['Started', meta.startedAt],
    [
      meta.shards ? 'Wall time (first shard start to last shard end)' : 'Wall time',
      formatDuration(meta.durationMs),
    ],
    ...(meta.versions
      ? [
          [
            'Versions',
            Object.entries(meta.versions)
              .map(([k, v]) => `${k} ${v}`)
              .join(', '),
          ] as [string, string],
        ]
      : []),
    [meta.shards ? 'Machine (shard 0)' : 'Machine', machineText(meta.machine)],
    ...(meta.shards
      ? meta.shards.map(
          (s) =>
            [
              `Shard ${s.index}/${s.count}`,
              `${s.rollouts} rollouts, started ${s.startedAt}, ${formatDuration(s.durationMs)}, ${s.workers} worker threads, ${machineText(s.machine)}`,
            ] as [string, string],
        )
      : []),
  ];
  return `<dl class="manifest">\n${items.map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v)}</dd>`).join('\n')}\n</dl>`;
}

/**
 * The evaluation report as one self-contained HTML page: headline, results table, charts (SVG as data URIs),
 * rollout videos (animated WebP as data URIs) and the run manifest. It loads nothing and runs no script,
 * so it opens from disk in any browser.
 */
export function reportHtml(report: BenchmarkReport, charts: readonly PageChart[]): string {
  const suiteName =
    report.kind === 'chains' ? report.chains.suite : report.suites.map((s) => s.suite).join(', ');
  const title = `${suiteName}: ${report.meta.policy}`;
  const headline =
    report.kind === 'chains'
      ? `Average length <b>${formatAvgLen(report.avgLen)}</b> over ${report.chains.chains} chains`
      : `Success rate <b>${formatPercent(report.successRate)}</b> over ${report.episodes.length} episodes`;
  const tables =
    report.kind === 'chains'
      ? chainsTable(report)
      : report.suites.map((s) => suiteTable(report, s)).join('\n');
  const figures = charts
    .map(
      (c) =>
        `<figure><img src="${dataUri('image/svg+xml', c.svg)}" alt="${escapeHtml(c.caption)}"><figcaption class="note">${escapeHtml(c.caption)}</figcaption></figure>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(`roboalign-bench: ${title}`)}</title>
<style>${STYLE}</style>
</head>
<body>
<h1>${escapeHtml(title)}</h1>
<p class="headline">${headline}</p>
<h2>Results</h2>
${tables}
<div class="charts">
${figures}
</div>
${videosSection(report)}
<h2>Run</h2>
${manifest(report.meta)}
</body>
</html>
`;
}
