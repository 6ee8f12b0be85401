import { AuditProjector, AuditQueries, type EventStore, type ReadModelStore } from '@approvals/application';
import { actionEvents, type ActionScenario } from '@approvals/testing';

/** A read model as the specs drive it: the port, plus flush and close. */
export interface ReadModelUnderTest extends ReadModelStore {
  flush(): Promise<void>;
  close(): Promise<void>;
}

/** Every row of every read-model table, in a stable order, positions as numbers. */
export type ReadModelDump = Record<'checkpoint' | 'actions' | 'voters' | 'timeline', unknown[]>;

/** A ledger and the storage of one read model, fresh for each fixture. */
export interface AuditStorage {
  /** Where the read model is: its file (SQLite) or its schema (PostgreSQL). */
  location: string;
  ledger: { events: EventStore; close(): Promise<void> };
  /** Opens the read model (again: the same data each time, as a process restart would). */
  openReadModel(): Promise<ReadModelUnderTest>;
  /** Reads the read model's tables from outside the store, so only committed rows show. */
  dump(): Promise<ReadModelDump>;
  /** Everything the read model keeps, as stored (files, or table contents), to look for secrets. */
  readModelBytes(): Promise<Buffer[]>;
  /** Everything the ledger keeps, as stored. */
  ledgerBytes(): Promise<Buffer[]>;
  /** Removes what `dispose` of the fixture leaves behind (files; PostgreSQL schemas go in afterAll). */
  dispose(): Promise<void>;
}

/** One kind of read-model store the shared scenarios run against. */
export interface ReadModelBackend {
  /** e.g. "the embedded read model", for the describe titles. */
  name: string;
  open(): Promise<AuditStorage>;
}

/** A real ledger and read model on fresh storage of one backend. */
export class AuditFixture {
  projector: AuditProjector;
  queries: AuditQueries;
  private head = 0n;

  private constructor(
    readonly storage: AuditStorage,
    public readModel: ReadModelUnderTest,
  ) {
    this.projector = new AuditProjector(this.ledger.events, this.readModel);
    this.queries = new AuditQueries(this.readModel);
  }

  static async open(backend: ReadModelBackend): Promise<AuditFixture> {
    const storage = await backend.open();
    return new AuditFixture(storage, await storage.openReadModel());
  }

  get ledger(): AuditStorage['ledger'] {
    return this.storage.ledger;
  }

  /** Appends each scenario's events to its action stream; returns the ledger's last position. */
  async append(...scenarios: ActionScenario[]): Promise<bigint> {
    for (const scenario of scenarios) {
      const streamId = `action-${scenario.actionId}`;
      this.head = (await this.ledger.events.appendToStream(streamId, actionEvents(scenario), { expectedRevision: 'no_stream' })).position;
    }
    return this.head;
  }

  /** Starts the projector if needed and waits until it has projected everything appended. */
  async project(): Promise<void> {
    if (!this.projector.lag().running) await this.projector.start();
    await this.projector.waitForPosition(this.head);
  }

  /** Closes the read model and opens the same one again, as a process restart would. */
  async reopenReadModel(): Promise<void> {
    await this.projector.stop();
    await this.readModel.close();
    this.readModel = await this.storage.openReadModel();
    this.projector = new AuditProjector(this.ledger.events, this.readModel);
    this.queries = new AuditQueries(this.readModel);
  }

  async close(): Promise<void> {
    await this.projector.stop();
    await this.readModel.close();
    await this.ledger.close();
    await this.storage.dispose();
  }
}
