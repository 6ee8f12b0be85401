import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';
import jest from 'eslint-plugin-jest';

// Packages that belong at the edges: domain code must never import them.
const edgePackages = [
  '@nestjs/*', 'kafkajs', '@grpc/*', 'pg', '@kurrent/*', '@opentelemetry/*', 'express',
  'pino', 'jose', '@cedar-policy/*', 'rxjs', 'reflect-metadata',
];

const depConstraints = [
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
  {
    sourceTag: 'type:platform',
    onlyDependOnLibsWithTags: ['type:platform', 'type:application', 'type:domain', 'type:contracts'],
    bannedExternalImports: ['@nestjs/*'],
  },
  { sourceTag: 'type:nest', onlyDependOnLibsWithTags: ['type:nest', 'type:platform', 'type:application', 'type:domain', 'type:contracts'] },
  { sourceTag: 'type:testing', onlyDependOnLibsWithTags: ['type:testing', 'type:platform', 'type:application', 'type:domain', 'type:contracts'] },
  { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:nest', 'type:platform', 'type:application', 'type:domain', 'type:contracts'] },
  { sourceTag: 'type:host', onlyDependOnLibsWithTags: ['type:app', 'type:nest', 'type:platform', 'type:application', 'type:domain', 'type:contracts'] },
  { sourceTag: 'type:cli', onlyDependOnLibsWithTags: ['type:platform', 'type:contracts', 'type:domain'] },
  { sourceTag: 'type:bench', onlyDependOnLibsWithTags: ['type:testing', 'type:platform', 'type:application', 'type:contracts'] },
  { sourceTag: 'type:e2e', onlyDependOnLibsWithTags: ['type:testing', 'type:platform', 'type:contracts', 'type:domain', 'type:application'] },
];

const boundaries = (constraints) => ({ enforceBuildableLibDependency: false, allow: [], depConstraints: constraints });

// Specs may also use the shared test helpers (for example the ledger contract suite).
const specConstraints = depConstraints.map((c) =>
  c.onlyDependOnLibsWithTags.includes('type:testing') ? c : { ...c, onlyDependOnLibsWithTags: [...c.onlyDependOnLibsWithTags, 'type:testing'] },
);

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
