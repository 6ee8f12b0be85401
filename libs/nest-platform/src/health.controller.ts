import { Controller, Get, HttpCode, HttpException, Inject, Optional } from '@nestjs/common';
import type { EventStore, LedgerIntegrity } from '@approvals/application';
import { describeFinding } from '@approvals/application';
import type { BusStatus } from './tokens';
import { BUS_STATUS, EVENT_STORE, LEDGER_INTEGRITY } from './tokens';
import { unhandledFaults } from './process-faults';

/** Liveness and readiness for orchestrators and the end-to-end tests. */
@Controller()
export class HealthController {
  constructor(
    @Inject(EVENT_STORE) private readonly ledger: EventStore,
    @Optional() @Inject(BUS_STATUS) private readonly bus?: BusStatus,
    @Optional() @Inject(LEDGER_INTEGRITY) private readonly integrity?: LedgerIntegrity,
  ) {}

  @Get('healthz')
  @HttpCode(200)
  health() {
    return { status: 'ok' };
  }

  /**
   * Ready only when the ledger answers and the bus takes messages: without them no decision can be
   * made (fail closed).
   */
  @Get('readyz')
  async ready() {
    let position: bigint;
    try {
      position = await this.ledger.headPosition();
    } catch (error) {
      throw notReady(`ledger unavailable: ${(error as Error).message}`);
    }
    if (this.bus && !this.bus.ready) throw notReady(this.bus.notReadyReason ?? 'the bus is not connected yet (or is rebalancing)');
    // Fail closed: a ledger that disagrees with its log needs an operator before anything else.
    const findings = this.integrity?.summary();
    if (findings && findings.count > 0) {
      throw notReady(`the ledger is inconsistent (${findings.count} finding${findings.count === 1 ? '' : 's'}; run approvals audit verify): ${findings.first.map(describeFinding).join('; ')}`);
    }
    // Dead letters do not make the service unready (their actions are delivered again), but operators should see them.
    return {
      status: 'ready',
      pid: process.pid,
      ledgerPosition: position.toString(),
      deadLetters: this.bus?.deadLetters.length ?? 0,
      // Each one a bug that a last-resort handler caught (the process kept running): see the error log.
      unhandledFaults: unhandledFaults(),
    };
  }
}

const notReady = (detail: string) => new HttpException({ type: 'about:blank', title: 'not ready', status: 503, detail }, 503);
