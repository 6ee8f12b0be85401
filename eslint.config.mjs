import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';
import jest from 'eslint-plugin-jest';
import { readFileSync } from 'node:fs';

// Packages that belong at the edges: domain code must never import them.
const edgePackages = [
  '@nestjs/*', 'kafkajs', '@grpc/*', 'pg', '@kurrent/*', '@opentelemetry/*', 'express',
  'pino', 'jose', '@cedar-policy/*', 'rxjs', 'reflect-metadata',
];

// Layers (type:*) and families (scope:*). A library may use only the layers below it; an adapter
// (one store, one channel, the bus, Cedar...) may use its own family's core and the shared cores
// (storage helpers, keys) but never another adapter, so one store cannot reach into another.
const base = ['type:contracts', 'type:domain', 'type:application', 'type:telemetry'];
const libraries = [...base, 'type:sdk', 'type:core', 'type:adapter', 'type:composition'];

// The SDK is published on its own: it may import no library of this repository and only the
// packages its own package.json declares (dependencies, and the frameworks its adapters plug into
// as peers), so an install from npm works.
const sdkManifest = JSON.parse(readFileSync(new URL('./libs/sdk/package.json', import.meta.url), 'utf8'));
const sdkPackages = ['node:*', ...Object.keys({ ...sdkManifest.dependencies, ...sdkManifest.peerDependencies }).flatMap((name) => [name, `${name}/*`])];
const noNest = { bannedExternalImports: ['@nestjs/*'] };

const layerConstraints = [
  { sourceTag: 'type:contracts', onlyDependOnLibsWithTags: ['type:contracts'], bannedExternalImports: edgePackages.filter((p) => p !== '@grpc/*') },
  {
    sourceTag: 'type:domain',
    onlyDependOnLibsWithTags: ['type:domain', 'type:contracts'],
    bannedExternalImports: [...edgePackages, 'node:sqlite', 'node:fs', 'node:net', 'node:http', 'node:crypto'],
  },
  {
    sourceTag: 'type:application',
    onlyDependOnLibsWithTags: ['type:application', 'type:domain', 'type:contracts'],
    bannedExternalImports: [...edgePackages.filter((p) => p !== 'rxjs'), 'node:sqlite'],
  },
  { sourceTag: 'type:telemetry', onlyDependOnLibsWithTags: base, ...noNest },
  { sourceTag: 'type:sdk', onlyDependOnLibsWithTags: ['type:sdk'], allowedExternalImports: sdkPackages },
  { sourceTag: 'type:core', onlyDependOnLibsWithTags: [...base, 'type:core'], ...noNest },
  { sourceTag: 'type:adapter', onlyDependOnLibsWithTags: [...base, 'type:sdk', 'type:core'], ...noNest },
  { sourceTag: 'type:composition', onlyDependOnLibsWithTags: libraries, ...noNest },
  { sourceTag: 'type:nest', onlyDependOnLibsWithTags: ['type:nest', ...libraries] },
  { sourceTag: 'type:testing', onlyDependOnLibsWithTags: ['type:testing', ...libraries] },
  { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:nest', ...libraries] },
  { sourceTag: 'type:host', onlyDependOnLibsWithTags: ['type:app', 'type:nest', ...libraries] },
  { sourceTag: 'type:cli', onlyDependOnLibsWithTags: libraries },
  // The MCP gateway runs beside agents, not in the service: it is a client, through the SDK only.
  { sourceTag: 'type:gateway', onlyDependOnLibsWithTags: ['type:sdk'], ...noNest },
  { sourceTag: 'type:bench', onlyDependOnLibsWithTags: ['type:testing', ...libraries] },
  { sourceTag: 'type:e2e', onlyDependOnLibsWithTags: ['type:testing', ...libraries] },
];

// A family uses only itself and what is shared. The CLI is a client: the gRPC client, grants,
// Cedar and the directory file (policy validate|test) and the ledger stores (audit verify), never
// the bus, the channels or the read model, so running it loads neither kafkajs nor a chat SDK.
// Every family may use the SDK (the client side of the API: transport, grant checks); the SDK uses none.
const families = ['ledger', 'read-model', 'bus', 'policy', 'identity', 'grants', 'client', 'channels'];
const scopeConstraints = [
  ...families.map((family) => ({ sourceTag: `scope:${family}`, onlyDependOnLibsWithTags: [`scope:${family}`, 'scope:shared', 'scope:sdk'] })),
  { sourceTag: 'scope:sdk', onlyDependOnLibsWithTags: ['scope:sdk'] },
  { sourceTag: 'scope:mcp', onlyDependOnLibsWithTags: ['scope:sdk'] },
  { sourceTag: 'scope:cli', onlyDependOnLibsWithTags: ['scope:client', 'scope:grants', 'scope:policy', 'scope:identity', 'scope:ledger', 'scope:read-model', 'scope:config', 'scope:shared', 'scope:sdk'] },
];

const depConstraints = [...layerConstraints, ...scopeConstraints];

const boundaries = (constraints) => ({ enforceBuildableLibDependency: false, allow: [], depConstraints: constraints });

// Specs may also use the shared test helpers (for example the ledger contract suite) and, being
// where parts are put together, other families' adapters (a read-model test fills a real ledger).
const specConstraints = [
  ...layerConstraints.map((c) => {
    const allowed = new Set([...c.onlyDependOnLibsWithTags, 'type:testing']);
    if (allowed.has('type:core')) for (const tag of ['type:adapter', 'type:composition']) allowed.add(tag);
    return { ...c, onlyDependOnLibsWithTags: [...allowed] };
  }),
  ...scopeConstraints.filter((c) => c.sourceTag === 'scope:cli'),
];

export default [
  { ignores: ['**/dist/**', '**/node_modules/**', '**/*.generated.ts', 'libs/contracts/src/generated/**', 'bench/results/**', '.nx/**', 'tmp/**', 'coverage/**'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    plugins: { '@nx': nx },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@nx/enforce-module-boundaries': ['error', boundaries(depConstraints)],
    },
  },
  {
    files: ['**/*.spec.ts', '**/spec/**/*.ts'],
    plugins: { jest },
    rules: {
      '@nx/enforce-module-boundaries': ['error', boundaries(specConstraints)],
      'jest/no-focused-tests': 'error',
      'jest/no-disabled-tests': 'error',
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
];
