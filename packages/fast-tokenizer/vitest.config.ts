import { defineProject } from 'vitest/config';

export default defineProject({
  test: { name: 'fast-tokenizer', include: ['test/**/*.test.ts', 'src/**/*.test.ts'] },
});
