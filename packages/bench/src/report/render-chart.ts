import { createRequire } from 'node:module';
import type { TopLevelSpec } from 'vega-lite';
import { BenchError } from '../errors.js';

/**
 * Renders a Vega-Lite spec to a standalone SVG document: compiled by `vega-lite`, laid out by `vega`
 * headless (no canvas, no DOM). The libraries are loaded on first use, so importing bench stays fast.
 */
export async function chartSvg(spec: TopLevelSpec): Promise<string> {
  const [vega, vegaLite] = await Promise.all([import('vega'), import('vega-lite')]);
  let compiled: ReturnType<typeof vegaLite.compile>;
  try {
    compiled = vegaLite.compile(spec);
  } catch (error) {
    throw new BenchError(`chartSvg: invalid Vega-Lite spec: ${(error as Error).message}`);
  }
  // The loader refuses every URL: a chart reads only the inline data of its spec.
  const loader = vega.loader({ mode: 'file' });
  loader.load = () => Promise.reject(new BenchError('chartSvg: charts never load external data'));
  const view = new vega.View(vega.parse(compiled.spec), { renderer: 'none', loader });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

let fontFile: string | undefined;

/** DejaVu Sans from the `dejavu-fonts-ttf` package: PNGs look the same on machines without system fonts. */
function chartFontFile(): string {
  fontFile ??= createRequire(import.meta.url).resolve('dejavu-fonts-ttf/ttf/DejaVuSans.ttf');
  return fontFile;
}

/** Rasterizes an SVG document to PNG bytes with resvg, at `scale` times its size, on white. */
export async function svgToPng(svg: string, scale = 1): Promise<Uint8Array> {
  const { Resvg } = await import('@resvg/resvg-js');
  const resvg = new Resvg(svg, {
    background: 'white',
    fitTo: { mode: 'zoom', value: scale },
    font: {
      loadSystemFonts: false,
      fontFiles: [chartFontFile()],
      defaultFontFamily: 'DejaVu Sans',
      sansSerifFamily: 'DejaVu Sans',
    },
  });
  return new Uint8Array(resvg.render().asPng());
}
