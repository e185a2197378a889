import cliProgress from 'cli-progress';

/** Values shown after the bar, as `key value` pairs (e.g. `{ loss: 0.4213 }`). */
export type ProgressPayload = Readonly<Record<string, string | number>>;

/** Options of {@link progressBar}. */
export interface ProgressBarOptions {
  /** Shown before the bar, e.g. `train`. */
  label: string;
  /** The value at which the work is done. */
  total: number;
  /** Where to draw; default `process.stderr`. Nothing is drawn unless it is a terminal. */
  stream?: NodeJS.WritableStream;
  /** The value to start from (after a resume); default 0. */
  start?: number;
  /** Set false to draw nothing whatever the stream; default true. */
  enabled?: boolean;
}

/** A progress bar; every method is a no-op when nothing is drawn. */
export interface ProgressBar {
  /** Moves the bar to `value`; `payload`, when given, replaces the values shown after it. */
  update(value: number, payload?: ProgressPayload): void;
  /** Draws the last state and releases the line. Call once, in a `finally`. */
  stop(): void;
}

const SILENT: ProgressBar = { update: () => {}, stop: () => {} };

/**
 * A progress bar with value, total and ETA, over `cli-progress`. It draws only when the stream is a
 * terminal, so logs and CI output stay clean.
 *
 * @example
 * const bar = progressBar({ label: 'train', total: steps });
 * try {
 *   for (let step = 0; step < steps; step++) bar.update(step + 1, { loss: loss.toFixed(4) });
 * } finally {
 *   bar.stop();
 * }
 */
export function progressBar(options: ProgressBarOptions): ProgressBar {
  const stream = options.stream ?? process.stderr;
  if (options.enabled === false || (stream as { isTTY?: boolean }).isTTY !== true) return SILENT;
  const bar = new cliProgress.SingleBar(
    {
      format: `${options.label} [{bar}] {value}/{total} | ETA {eta_formatted}{details}`,
      stream: stream as NodeJS.WriteStream,
      hideCursor: true,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(options.total, options.start ?? 0, { details: '' });
  return {
    update(value, payload) {
      bar.update(value, payload ? { details: formatPayload(payload) } : {});
    },
    stop() {
      bar.stop();
    },
  };
}

function formatPayload(payload: ProgressPayload): string {
  return Object.entries(payload)
    .map(([key, value]) => ` | ${key} ${typeof value === 'number' ? formatNumber(value) : value}`)
    .join('');
}

function formatNumber(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toPrecision(4);
}
