import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { progressBar } from '../src/index.js';

/** A stream that records what is written; `tty` says whether it claims to be a terminal. */
function recorder(tty: boolean): Writable & { text: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      chunks.push(String(chunk));
      done();
    },
  });
  return Object.assign(stream, { isTTY: tty, columns: 120, text: () => chunks.join('') });
}

describe('progressBar', () => {
  it('draws nothing when the stream is not a terminal', () => {
    const stream = recorder(false);
    const bar = progressBar({ label: 'train', total: 10, stream });
    bar.update(5, { loss: 0.5 });
    bar.stop();
    expect(stream.text()).toBe('');
  });

  it('draws nothing when disabled, even on a terminal', () => {
    const stream = recorder(true);
    const bar = progressBar({ label: 'train', total: 10, stream, enabled: false });
    bar.update(5);
    bar.stop();
    expect(stream.text()).toBe('');
  });

  it('draws the label, the value, the ETA and the payload on a terminal', () => {
    const stream = recorder(true);
    const bar = progressBar({ label: 'train', total: 10, stream });
    bar.update(4, { loss: 0.123456, note: 'warmup' });
    bar.stop();
    const text = stream.text();
    expect(text).toContain('train [');
    expect(text).toContain('4/10');
    expect(text).toContain('ETA');
    expect(text).toContain('loss 0.1235');
    expect(text).toContain('note warmup');
  });

  it('keeps the last payload when an update brings none', () => {
    const stream = recorder(true);
    const bar = progressBar({ label: 'fit', total: 3, stream, start: 1 });
    bar.update(2, { loss: 2 });
    bar.update(3);
    bar.stop();
    expect(stream.text()).toMatch(/3\/3 \| ETA [^|]*\| loss 2/);
  });
});
