import { Controller, Get, HttpCode, HttpException, Inject, Optional } from '@nestjs/common';
import type { EventStore } from '@approvals/application';
import type { InProcessBroker } from '@approvals/platform';
import { BROKER, EVENT_STORE } from './tokens';

/** Liveness and readiness for orchestrators and the end-to-end tests. */
@Controller()
export class HealthController {
  constructor(
    @Inject(EVENT_STORE) private readonly ledger: EventStore,
    @Optional() @Inject(BROKER) private readonly broker?: InProcessBroker,
  ) {}

  @Get('healthz')
  @HttpCode(200)
  health() {
    return { status: 'ok' };
  }

  /** Ready only when the ledger answers: without it no decision can be made (fail closed). */
  @Get('readyz')
  async ready() {
    try {
      const position = await this.ledger.headPosition();
      // Dead letters do not make the service unready (their actions are delivered again), but operators should see them.
      return { status: 'ready', pid: process.pid, ledgerPosition: position.toString(), deadLetters: this.broker?.deadLetters.length ?? 0 };
    } catch (error) {
      throw new HttpException(
        { type: 'about:blank', title: 'not ready', status: 503, detail: `ledger unavailable: ${(error as Error).message}` },
        503,
      );
    }
  }
}
