import { Controller, Get, HttpCode, HttpException, Inject } from '@nestjs/common';
import type { EventStore } from '@approvals/application';
import { EVENT_STORE } from './tokens';

/** Liveness and readiness for orchestrators and the end-to-end tests. */
@Controller()
export class HealthController {
  constructor(@Inject(EVENT_STORE) private readonly ledger: EventStore) {}

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
      return { status: 'ready', ledgerPosition: position.toString() };
    } catch (error) {
      throw new HttpException(
        { type: 'about:blank', title: 'not ready', status: 503, detail: `ledger unavailable: ${(error as Error).message}` },
        503,
      );
    }
  }
}
