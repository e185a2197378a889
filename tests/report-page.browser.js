// Runs inside the report page (tests/report-page.test.ts evaluates it there): what a person would see,
// read through the DOM, and each rollout animation decoded with WebCodecs' ImageDecoder.
// biome-ignore lint/correctness/noUnusedVariables: called by the test through page.evaluate
async function readReportPage() {
  const rows = [...document.querySelectorAll('table.results tbody tr')].map(
    (tr) => tr.dataset.task ?? tr.dataset.chains ?? '',
  );
  const charts = [...document.querySelectorAll('.charts img')];
  await Promise.all(charts.map((img) => img.decode()));
  const animations = [];
  for (const figure of document.querySelectorAll('figure.rollout')) {
    const img = figure.querySelector('img');
    await img.decode();
    const data = await (await fetch(img.src)).arrayBuffer();
    const decoder = new ImageDecoder({ data, type: 'image/webp' });
    await decoder.tracks.ready;
    const frameCount = decoder.tracks.selectedTrack?.frameCount ?? 0;
    let durationUs = 0;
    let firstFrame = { width: 0, height: 0 };
    for (let i = 0; i < frameCount; i++) {
      const { image } = await decoder.decode({ frameIndex: i });
      if (i === 0) firstFrame = { width: image.displayWidth, height: image.displayHeight };
      durationUs += image.duration ?? 0;
      image.close();
    }
    decoder.close();
    animations.push({
      role: figure.dataset.role ?? '',
      kind: figure.dataset.kind ?? '',
      frameCount,
      durationMs: durationUs / 1000,
      firstFrame,
      shownWidth: img.naturalWidth,
    });
  }
  return { rows, chartImages: charts.filter((c) => c.naturalWidth > 0).length, animations };
}
