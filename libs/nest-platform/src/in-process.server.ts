import type { InProcessBroker } from '@approvals/bus';
import { BusServer } from './bus.server';

/** A NestJS transport strategy over the in-process broker (embedded mode). */
export class InProcessServer extends BusServer {
  constructor(private readonly broker: InProcessBroker) {
    super();
  }

  listen(callback: () => void): void {
    this.broker.attach({
      hasHandler: (pattern) => this.hasHandler(pattern),
      dispatch: (pattern, data) => this.dispatch(pattern, data),
    });
    callback();
  }

  async close(): Promise<void> {
    await this.broker.drain();
    this.broker.detach();
  }

  unwrap<T>(): T {
    return this.broker as T;
  }
}
