import { appendJsonl } from '@roboalign/utils';

/** Appends one JSON object per line to `path` (creating its folder); pass as `onMetrics`. */
export function jsonlWriter(path: string): (record: Record<string, number>) => Promise<void> {
  return (record) => appendJsonl(path, record);
}

/** Writes JSON atomically (temporary file, fsync, rename), for checkpoint hooks; from `@roboalign/utils`. */
export { writeJsonAtomic } from '@roboalign/utils';
