import { defineConfig } from 'vitest/config';

// One run over every package and example, so CI gets a single summary.
export default defineConfig({
  test: {
    projects: ['packages/*', 'examples/*', 'tests'],
  },
});
