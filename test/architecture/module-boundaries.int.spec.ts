import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { repoRoot } from '@approvals/testing';

// The library boundaries are lint rules (eslint.config.mjs): these imports, written into real
// projects' folders, must be refused, and their allowed neighbours accepted.
describe('module boundaries', () => {
  jest.setTimeout(120_000);
  // ESLint's own command line, as `npm run lint` runs it (its config is an ES module, which Jest's
  // module system cannot load in-process).
  const boundaryErrors = async (file: string, source: string): Promise<string[]> => {
    const eslint = join(repoRoot(), 'node_modules', 'eslint', 'bin', 'eslint.js');
    const run = promisify(execFile)(process.execPath, [eslint, '--format', 'json', '--stdin', '--stdin-filename', join(repoRoot(), file)], {
      cwd: repoRoot(),
      env: { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true' },
      timeout: 60_000,
    });
    run.child.stdin!.end(`${source}\nexport const used = x;\n`);
    // ESLint exits 1 when it reports errors; its JSON report is on stdout either way.
    const stdout = await run.then((r) => r.stdout, (error: { stdout?: string }) => error.stdout ?? '');
    const [result] = JSON.parse(stdout) as { messages: { ruleId: string | null; message: string }[] }[];
    return result!.messages.filter((m) => m.ruleId === '@nx/enforce-module-boundaries').map((m) => m.message);
  };

  it.each([
    ['a ledger store importing another store', 'libs/ledger/sqlite/src/bad.ts', "import { PostgresEventStore as x } from '@approvals/ledger-postgres';"],
    ['the read model importing a ledger store', 'libs/read-model/src/bad.ts', "import { openSqliteLedger as x } from '@approvals/ledger-sqlite';"],
    ['a channel importing another channel', 'libs/channels/slack/src/bad.ts', "import { TeamsChannel as x } from '@approvals/channels-teams';"],
    ['a channel importing NestJS glue', 'libs/channels/slack/src/bad.ts', "import { GrpcExceptionFilter as x } from '@approvals/nest-platform';"],
    ['an adapter importing the configuration', 'libs/bus/src/bad.ts', "import { loadConfig as x } from '@approvals/config';"],
    ['the CLI importing the bus', 'apps/cli/src/bad.ts', "import { KafkaPublisher as x } from '@approvals/bus';"],
    ['the CLI importing a chat channel', 'apps/cli/src/bad.ts', "import { SlackChannel as x } from '@approvals/channels-slack';"],
    ['the domain importing the application', 'libs/domain/src/bad.ts', "import { DecisionService as x } from '@approvals/application';"],
    ['the SDK importing the contracts', 'libs/sdk/src/bad.ts', "import { protoRoot as x } from '@approvals/contracts';"],
    ['the SDK importing the gRPC client library', 'libs/sdk/src/bad.ts', "import { unary as x } from '@approvals/client';"],
  ])('refuses %s', async (_case, file, source) => {
    expect(await boundaryErrors(file, source)).toEqual([expect.stringMatching(/^A project tagged with "(type|scope):[a-z-]+" can only depend on libs tagged with /)]);
  });

  it.each([
    ['a ledger store importing its family core', 'libs/ledger/sqlite/src/good.ts', "import { CatchUpSubscription as x } from '@approvals/ledger-core';"],
    ['the read model importing the shared storage helpers', 'libs/read-model/src/good.ts', "import { createPool as x } from '@approvals/postgres';"],
    ['the CLI importing the gRPC client', 'apps/cli/src/good.ts', "import { createApprovalsClient as x } from '@approvals/client';"],
    ['the CLI importing the ledger opener', 'apps/cli/src/good.ts', "import { openLedger as x } from '@approvals/ledger';"],
    ['the grants adapter importing the SDK', 'libs/grants/src/good.ts', "import { checkGrantToken as x } from '@approvals/sdk';"],
    ['the SDK importing a package its package.json declares', 'libs/sdk/src/good.ts', "import { jwtVerify as x } from 'jose';"],
  ])('accepts %s', async (_case, file, source) => {
    expect(await boundaryErrors(file, source)).toEqual([]);
  });

  // An install of @approvals/sdk has only the dependencies its package.json declares.
  it.each([
    ['pino', "import { pino as x } from 'pino';"],
    ['kafkajs', "import { Kafka as x } from 'kafkajs';"],
    ['NestJS', "import { Injectable as x } from '@nestjs/common';"],
  ])('refuses the SDK importing %s, which its package does not declare', async (_case, source) => {
    expect(await boundaryErrors('libs/sdk/src/bad.ts', source)).toEqual([expect.stringMatching(/^A project tagged with "type:sdk" is not allowed to import "/)]);
  });
});
