import { statSync } from 'node:fs';
import { join } from 'node:path';
import { unary } from '@approvals/client';
import { EmbeddedServer } from '@approvals/testing';
import { actionRequest, clientAs } from './support';

jest.setTimeout(180_000);

const walBoundMiB = 8;
const walBound = walBoundMiB * 2 ** 20;
const files = ['ledger.sqlite', 'audit-read-model.sqlite', 'notifier.sqlite'] as const;
const size = (path: string) => {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
};

// SPEC I10: disk stays within its configured bound under sustained load. Every page the ledger
// file gains passes through its write-ahead log first, so once the ledger has grown by more than
// twice the bound, a log that was never cut back would be past the bound too.
describe('embedded mode under sustained load', () => {
  let server: EmbeddedServer;
  beforeAll(async () => {
    server = await EmbeddedServer.start({
      env: { APPROVALS_SQLITE_WAL_MAX_MB: String(walBoundMiB), LOG_LEVEL: 'warn' },
    });
  });
  afterAll(async () => {
    await server?.dispose();
  });

  it('keeps the write-ahead log of every SQLite file under APPROVALS_SQLITE_WAL_MAX_MB', async () => {
    const path = (file: string) => join(server.dataDir, file);
    const ledgerAtStart = size(path('ledger.sqlite'));
    const largest = Object.fromEntries(files.map((file) => [file, 0])) as Record<(typeof files)[number], number>;
    const sample = setInterval(() => {
      for (const file of files) largest[file] = Math.max(largest[file], size(`${path(file)}-wal`));
    }, 25);
    const agent = clientAs(server.grpcAddress, 'agent-reporting');
    const bob = clientAs(server.grpcAddress, 'bob');
    const deadline = Date.now() + 90_000;
    const enough = () => size(path('ledger.sqlite')) - ledgerAtStart > 2 * walBound || Date.now() > deadline;
    let completed = 0;
    try {
      // given agents asking without pause: reads allowed at once, and exports a data owner approves
      const reads = async () => {
        while (!enough()) {
          const { actionId } = await unary(agent.intake, 'RequestAction', actionRequest());
          await unary(agent.intake, 'AwaitDecision', { actionId, timeoutMs: 10_000 });
          completed += 1;
        }
      };
      const exports = async () => {
        while (!enough()) {
          const { actionId } = await unary(agent.intake, 'RequestAction', actionRequest({ action: 'db.export', parametersJson: '{"rows":5000}' }));
          for (let voted = false; !voted; ) {
            voted = await unary(bob.decisions, 'CastVote', { actionId, decision: 'APPROVE' }).then(
              () => true,
              () => new Promise<boolean>((r) => setTimeout(() => r(false), 20)),
            );
          }
          completed += 1;
        }
      };
      await Promise.all([...Array.from({ length: 12 }, reads), ...Array.from({ length: 4 }, exports)]);
    } finally {
      clearInterval(sample);
      agent.close();
      bob.close();
    }

    // then the load was enough to break the bound, and no log ever went past it
    expect(size(path('ledger.sqlite')) - ledgerAtStart).toBeGreaterThan(2 * walBound);
    expect(completed).toBeGreaterThan(0);
    expect(Object.entries(largest).filter(([, bytes]) => bytes > walBound)).toEqual([]);
  });
});
