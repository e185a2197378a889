import { defineProject } from 'vitest/config';

export default defineProject({
  test: { name: 'example-reproduce-paper', include: ['test/**/*.test.ts'], testTimeout: 120_000 },
});
