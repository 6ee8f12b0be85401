import { Controller, Get, HttpCode, HttpException, Inject, Optional } from '@nestjs/common';
import type { EventStore } from '@approvals/application';
import type { BusStatus } from './tokens';
import { BUS_STATUS, EVENT_STORE } from './tokens';
import { unhandledFaults } from './process-faults';

/** Liveness and readiness for orchestrators and the end-to-end tests. */
@Controller()
export class HealthController {
  constructor(
    @Inject(EVENT_STORE) private readonly ledger: EventStore,
    @Optional() @Inject(BUS_STATUS) private readonly bus?: BusStatus,
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
