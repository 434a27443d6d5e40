/** Import rules from docs/ARCHITECTURE.md, enforced in `npm run lint`. */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'platform-knows-no-business',
      comment: 'platform/ is plumbing: it never imports modules, channels or commerce.',
      severity: 'error',
      from: { path: '^apps/server/src/platform/' },
      to: { path: '^apps/server/src/(modules|channels|commerce|carriers)/' },
    },
    {
      name: 'module-through-index',
      comment: 'A module reaches another only through its index.ts.',
      severity: 'error',
      from: { path: '^apps/server/src/modules/([^/]+)/' },
      to: {
        path: '^apps/server/src/modules/([^/]+)/',
        pathNot: ['^apps/server/src/modules/$1/', '^apps/server/src/modules/[^/]+/index\\.ts$'],
      },
    },
    {
      name: 'db-only-in-repositories',
      comment: 'Only repositories and platform/db touch the database library or driver.',
      severity: 'error',
      from: {
        path: '^apps/server/src/',
        pathNot: [
          '\\.repository\\.ts$',
          '^apps/server/src/platform/db/',
          '^apps/server/src/seed/',
          '\\.test\\.ts$',
        ],
      },
      to: { path: ['node_modules/(drizzle-orm|pg|@electric-sql/pglite)/'] },
    },
    {
      name: 'routes-call-services',
      comment: 'Routes validate and call the service; they never reach a repository.',
      severity: 'error',
      from: { path: '\\.routes\\.ts$' },
      to: { path: '\\.repository\\.ts$', pathNot: ['^apps/server/src/modules/(system|audit)/'] },
    },
    {
      name: 'adapters-are-leaves',
      comment: 'channels/*, commerce/* and carriers/* import only platform/ and contracts.',
      severity: 'error',
      from: { path: '^apps/server/src/(channels|commerce|carriers)/' },
      to: { path: '^apps/server/src/(modules|app\\.ts|main\\.ts)' },
    },
    {
      name: 'frontends-use-contracts-only',
      comment: 'Front-end apps import packages/contracts, never server code.',
      severity: 'error',
      from: { path: '^apps/(dashboard|widget|portal)/' },
      to: { path: '^apps/server/' },
    },
    {
      name: 'contracts-are-pure',
      severity: 'error',
      from: { path: '^packages/contracts/' },
      to: { path: '^apps/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    combinedDependencies: true,
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default'],
      extensions: ['.ts', '.tsx', '.js'],
    },
    tsConfig: { fileName: 'tsconfig.base.json' },
  },
};
