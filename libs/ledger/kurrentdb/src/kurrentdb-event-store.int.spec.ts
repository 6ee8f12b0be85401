import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import type { NewEvent, RecordedEvent } from '@approvals/application';
// The shared contract suite lives in the testing library; only this spec, never runtime code, uses it.
import { describeEventStoreContract } from '@approvals/testing';
import { KurrentDbUnavailableError } from './kurrentdb-errors';
import { openKurrentDbLedger, type KurrentDbLedger } from './open-kurrentdb-ledger';

// Against a real KurrentDB when KURRENTDB_CONNECTION_STRING names one (see docs/kurrentdb.md for
// a local server). The server's data is shared: every test writes under its own random names.
const connectionString = process.env['KURRENTDB_CONNECTION_STRING'];
if (!connectionString) {
  console.warn(
    '[kurrentdb] KURRENTDB_CONNECTION_STRING is not set: the KurrentDB contract suite is skipped (see docs/kurrentdb.md to run it against a local server)',
  );
}
const describeWithServer = connectionString ? describe : describe.skip;
const url = connectionString ?? 'kurrentdb://localhost:2113?tls=false';

jest.setTimeout(60_000);

const newEvent = (type: string, data: unknown = {}): NewEvent => ({ eventId: randomUUID(), type, data, metadata: {} });

describeWithServer('KurrentDB server', () => {
  describeEventStoreContract('KurrentDB (KURRENTDB_CONNECTION_STRING, small pages)', async () => {
    const ledger = await openKurrentDbLedger({ connectionString: url, pageSize: 7, pollIntervalMs: 200 });
    return { store: ledger.events, dispose: () => ledger.close() };
  });

  describe('KurrentDB ledger', () => {
    const opened: KurrentDbLedger[] = [];
    const open = async (options: Partial<Parameters<typeof openKurrentDbLedger>[0]> = {}) => {
      const ledger = await openKurrentDbLedger({ connectionString: url, ...options });
      opened.push(ledger);
      return ledger;
    };
    const stream = () => `kdbtest-${randomUUID()}`;

    afterEach(async () => {
      await Promise.all(opened.splice(0).map((ledger) => ledger.close()));
    });

    it('gives the events of one append their own positions, equal to their commit positions in $all', async () => {
      const ledger = await open();
      const id = stream();
      const before = await ledger.events.headPosition();
      const result = await ledger.events.appendToStream(id, [newEvent('A'), newEvent('B'), newEvent('C')]);

      const fromStream = await ledger.events.readStream(id);
      const fromAll = (await ledger.events.readAll({ after: before })).filter((event) => event.streamId === id);

      expect(fromAll).toEqual(fromStream);
      expect(new Set(fromStream.map((event) => event.position)).size).toBe(3);
      expect(result.position).toBe(fromStream[2]!.position);
    });

    it('hears of appends by another client at once through its live subscription', async () => {
      const reader = await open({ pollIntervalMs: 60_000 });
      const writer = await open();
      const id = stream();
      const seen: RecordedEvent[] = [];
      const subscription = reader.events.subscribeToAll((event) => void seen.push(event), { after: await reader.events.headPosition(), streamPrefix: id });
      await subscription.caughtUp;

      await writer.events.appendToStream(id, [newEvent('A')]);
      const deadline = Date.now() + 5000;
      while (seen.length < 1 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
      await subscription.close();

      expect(seen.map((event) => event.type)).toEqual(['A']);
    });

    it('saves and loads checkpoints, hidden from the ledger', async () => {
      const ledger = await open();
      const name = `kdbtest-${randomUUID()}`;
      const before = await ledger.events.headPosition();

      await ledger.checkpoints.save(name, 41n);
      await ledger.checkpoints.save(name, 2n ** 53n + 1n);

      expect(await ledger.checkpoints.load(name)).toBe(2n ** 53n + 1n);
      expect(await ledger.checkpoints.load(`${name}-missing`)).toBeUndefined();
      expect(await ledger.events.headPosition()).toBe(before);
    });

    it('takes event ids that are not UUIDs', async () => {
      const ledger = await open();
      const id = stream();
      const event = { ...newEvent('A'), eventId: `evt-${randomUUID()}` };

      await ledger.events.appendToStream(id, [event]);
      const retry = await ledger.events.appendToStream(id, [event]);

      expect((await ledger.events.readStream(id)).map((e) => e.eventId)).toEqual([event.eventId]);
      expect(retry.appended).toBe(false);
    });
  });
});

describe('KurrentDB ledger without a server', () => {
  it('reports an unreachable server with a clear error when opening', async () => {
    const port = await closedPort();

    const opening = openKurrentDbLedger({ connectionString: `kurrentdb://admin:secret@127.0.0.1:${port}?tls=false` });

    await expect(opening).rejects.toBeInstanceOf(KurrentDbUnavailableError);
    await expect(opening).rejects.toThrow(new RegExp(`^KurrentDB at kurrentdb://127\\.0\\.0\\.1:${port} cannot be reached \\(read the head of \\$all\\)`));
  });

  it('refuses a connection string the client cannot parse', async () => {
    await expect(openKurrentDbLedger({ connectionString: 'postgres://localhost:5432' })).rejects.toThrow(/cannot open the ledger at postgres:\/\/localhost:5432/);
  });
});

/** A local port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
