/**
 * Atomic writes live in `@roboalign/utils` (temporary file, fsync, rename); re-exported here because this
 * package has always exported `writeFileAtomic`.
 */
export { writeFileAtomic } from '@roboalign/utils';
