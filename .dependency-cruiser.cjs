// The folder rules of issue 18, checked by `npm run lint:deps` (part of `npm run lint`, so of `npm test`).
// Type-only imports count: a type import still ties the importer to the imported module's folder.
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'Modules that import each other cannot be read, tested or moved one at a time.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'renderer-not-gateway',
      severity: 'error',
      comment: 'The renderer talks to the gateway over HTTP only; the types they share live in src-shared/contract/.',
      from: { path: '^src-renderer/' },
      to: { path: '^src-gateway/' },
    },
    {
      name: 'shared-imports-neither-side',
      severity: 'error',
      comment: 'src-shared is the contract both sides depend on, so it depends on neither of them.',
      from: { path: '^src-shared/' },
      to: { path: '^src-(gateway|renderer|main)/' },
    },
    {
      name: 'providers-import-only-core',
      severity: 'error',
      comment:
        'A provider translates between the canonical request (core/) and one upstream API; it knows nothing of routing, policies or storage.',
      from: { path: '^src-gateway/providers/' },
      to: { path: '^src-gateway/', pathNot: '^src-gateway/(providers|core)/' },
    },
    {
      name: 'core-imports-nothing-above-it',
      severity: 'error',
      comment:
        'core/ is the bottom layer of the gateway: everything may import it, it imports no other gateway folder.',
      from: { path: '^src-gateway/core/' },
      to: { path: '^src-gateway/', pathNot: '^src-gateway/core/' },
    },
    {
      name: 'gateway-imports-no-app-side',
      severity: 'error',
      comment:
        'The gateway is a plain Node library (the headless CLI, the tests, its own process under the desktop app): no Electron, no main, no renderer.',
      from: { path: '^src-gateway/' },
      to: { path: ['^src-(main|renderer)/', '^node_modules/electron/'] },
    },
    {
      name: 'config-not-policies',
      severity: 'error',
      comment:
        'Policies read their settings from config/; config/ owns the settings schemas and does not reach back, except to the policy registry for the fields registered policies add (no-circular keeps those policies off config/).',
      from: { path: '^src-gateway/config/' },
      to: { path: '^src-gateway/policies/', pathNot: '^src-gateway/policies/registry\\.ts$' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.tsx', '.js', '.mjs', '.cjs', '.json'],
    },
  },
}
