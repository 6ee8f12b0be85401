import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuditProjector, AuditQueries } from '@approvals/application';
import { openSqliteLedger, type SqliteLedger } from '../../ledger';
import { openSqliteReadModel } from '../open-sqlite-read-model';
import type { SqliteReadModelStore } from '../sqlite-read-model-store';
import { actionEvents, type ActionScenario } from '@approvals/testing';

/** A real embedded ledger and read model in a fresh data directory. */
export class AuditFixture {
  readonly dataDir = mkdtempSync(join(tmpdir(), 'audit-read-model-'));
  readonly ledger: SqliteLedger = openSqliteLedger({ dataDir: this.dataDir, pollIntervalMs: 20 });
  readModel: SqliteReadModelStore = openSqliteReadModel({ dataDir: this.dataDir });
  projector = new AuditProjector(this.ledger.events, this.readModel);
  queries = new AuditQueries(this.readModel);
  private head = 0n;

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

  /** Closes the read model and opens the same file again, as a process restart would. */
  async reopenReadModel(): Promise<void> {
    await this.projector.stop();
    await this.readModel.close();
    this.readModel = openSqliteReadModel({ dataDir: this.dataDir });
    this.projector = new AuditProjector(this.ledger.events, this.readModel);
    this.queries = new AuditQueries(this.readModel);
  }

  async close(): Promise<void> {
    await this.projector.stop();
    await this.readModel.close();
    await this.ledger.close();
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}
