/**
 * The layer rules of STYLE.md, checked on every test run:
 * - domain/ is pure: it imports nothing from application, infrastructure or presentation, nor I/O libraries;
 * - application/ takes its ports as arguments: no infrastructure or presentation;
 * - infrastructure/ does not reach into presentation;
 * - a module imports another only through that module's index.ts;
 * - shared/ never imports a module.
 */
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'domain-is-pure',
      severity: 'error',
      comment: 'domain/ holds rules only: no application, infrastructure, presentation or shared I/O.',
      from: { path: '^src/modules/[^/]+/domain/' },
      to: { path: ['^src/modules/[^/]+/(application|infrastructure|presentation)/', '^src/shared/(storage|http)/', '^src/app\\.ts$'] },
    },
    {
      name: 'domain-no-io-libraries',
      severity: 'error',
      from: { path: '^src/modules/[^/]+/domain/' },
      to: { dependencyTypes: ['npm', 'core'], pathNot: ['node_modules/zod/'] },
    },
    {
      name: 'application-uses-ports',
      severity: 'error',
      comment: 'application/ receives its adapters as arguments; it never imports them.',
      from: { path: '^src/modules/[^/]+/application/' },
      to: { path: ['^src/modules/[^/]+/(infrastructure|presentation)/', '^src/shared/storage/(?!sql|key-value)'] },
    },
    {
      name: 'infrastructure-not-presentation',
      severity: 'error',
      from: { path: '^src/modules/[^/]+/infrastructure/' },
      to: { path: '^src/modules/[^/]+/presentation/' },
    },
    {
      name: 'modules-meet-through-index',
      severity: 'error',
      comment: 'Import another module only through its index.ts.',
      from: { path: '^src/modules/([^/]+)/' },
      to: { path: '^src/modules/', pathNot: ['^src/modules/$1/', '^src/modules/[^/]+/index\\.ts$'] },
    },
    {
      name: 'shared-knows-no-module',
      severity: 'error',
      from: { path: '^src/shared/' },
      to: { path: '^src/modules/' },
    },
    {
      name: 'only-main-and-app-compose',
      severity: 'error',
      comment: 'Nothing imports the composition root except server.ts (which main.ts loads after its checks).',
      from: { path: '^src/', pathNot: '^src/(main|server)\\.ts$' },
      to: { path: '^src/(app|main|server)\\.ts$' },
    },
    {
      name: 'no-circular',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '\\.test\\.ts$' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] },
  },
};
