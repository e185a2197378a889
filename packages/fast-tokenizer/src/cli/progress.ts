import type { Writable } from 'node:stream';
import cliProgress from 'cli-progress';

/** A progress bar on stderr for long fits; silent when disabled or when stderr is not a terminal. */
export interface Progress {
  update: (stage: string, done: number, total: number) => void;
  stop: () => void;
}

export function createProgress(stream: Writable, enabled: boolean): Progress {
  const tty = (stream as Writable & { isTTY?: boolean }).isTTY === true;
  if (!enabled || !tty) return { update: () => {}, stop: () => {} };
  const bar = new cliProgress.SingleBar(
    { stream: stream as NodeJS.WriteStream, format: '{stage} [{bar}] {value}/{total}', hideCursor: true },
    cliProgress.Presets.shades_classic,
  );
  let stage = '';
  let running = false;
  return {
    update(nextStage, done, total) {
      if (nextStage !== stage) {
        if (running) bar.stop();
        bar.start(total, done, { stage: nextStage });
        stage = nextStage;
        running = true;
      } else {
        bar.update(done);
      }
    },
    stop() {
      if (running) bar.stop();
      running = false;
    },
  };
}
