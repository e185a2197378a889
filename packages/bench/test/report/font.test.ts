import { describe, expect, it } from 'vitest';
import { createCanvas, drawText, getPixel, glyphRows, type Rgb, textWidth } from '../../src/report/index.js';

const WHITE: Rgb = [255, 255, 255];
const INK: Rgb = [0, 0, 0];

/** Renders text and reads the canvas back as rows of '#' (ink) and '.' (background). */
function render(text: string, width: number, height: number, scale: number): string[] {
  const c = createCanvas(width, height, WHITE);
  drawText(c, text, 0, 0, INK, scale);
  const rows: string[] = [];
  for (let y = 0; y < height; y++) {
    let row = '';
    for (let x = 0; x < width; x++) row += getPixel(c, x, y)[0] === 0 ? '#' : '.';
    rows.push(row);
  }
  return rows;
}

describe('bitmap font', () => {
  it('covers ASCII 32..126 with 5-bit rows', () => {
    for (let code = 32; code <= 126; code++) {
      const rows = glyphRows(String.fromCharCode(code));
      expect([7, 9]).toContain(rows.length);
      for (const r of rows) expect(r).toBeLessThan(32);
    }
    expect(glyphRows(' ').every((r) => r === 0)).toBe(true);
  });

  it('lights exactly the pixels of "1H" at scale 1', () => {
    expect(render('1H', 12, 9, 1)).toEqual([
      '..#...#...#.',
      '.##...#...#.',
      '..#...#...#.',
      '..#...#####.',
      '..#...#...#.',
      '..#...#...#.',
      '.###..#...#.',
      '............',
      '............',
    ]);
  });

  it('doubles every font pixel at scale 2', () => {
    expect(render('L', 10, 14, 2)).toEqual([...Array(12).fill('##........'), '##########', '##########']);
  });

  it('drops descenders below the baseline', () => {
    const g = render('g', 5, 9, 1);
    expect(g.slice(0, 2)).toEqual(['.....', '.....']);
    expect(g.slice(7)).toEqual(['....#', '.###.']);
  });

  it('draws characters outside ASCII as "?" and measures text', () => {
    expect(render('é', 5, 7, 1)).toEqual(render('?', 5, 7, 1));
    expect(textWidth('', 2)).toBe(0);
    expect(textWidth('Hi', 1)).toBe(11);
    expect(textWidth('100%', 2)).toBe(46);
  });
});
