import { defineConfig } from 'vitest/config';

// The suite runs on the embedded PGlite, and once more on PostgreSQL when TEST_DATABASE_URL is set.
const databases = process.env.TEST_DATABASE_URL ? ['pglite', 'postgres'] : ['pglite'];

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // A page or a job under a loaded CI box can take seconds: the 1 s default made waits flaky.
    expect: { poll: { timeout: 15_000 } },
    // PGlite instances are memory-hungry; two files at a time keeps a 2-core CI box steady.
    maxWorkers: 2,
    projects: databases.map((db) => ({
      extends: true,
      test: {
        name: db,
        include: [
          'apps/*/src/**/*.test.ts',
          'apps/*/test/**/*.test.ts',
          'packages/*/src/**/*.test.ts',
          'bench/**/*.test.ts',
          // Browser journeys drive the same HTTP API the server tests cover on both databases: they run
          // once, on the embedded default, except the first hour, which a newcomer may run on either.
          ...(db === 'pglite' ? ['e2e/**/*.test.ts'] : ['e2e/first-hour.test.ts']),
        ],
        // *.pg.test.ts need a server database shared by several nodes: PostgreSQL only.
        exclude: db === 'pglite' ? ['**/*.pg.test.ts', '**/node_modules/**'] : ['**/node_modules/**'],
        env: { SHOPDESK_TEST_DB: db },
      },
    })),
  },
});
