import { defineProject } from 'vitest/config';

export default defineProject({
  test: { name: 'vlm', include: ['test/**/*.test.ts', 'src/**/*.test.ts'] },
});
