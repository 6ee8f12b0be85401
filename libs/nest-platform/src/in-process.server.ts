import type { CustomTransportStrategy } from '@nestjs/microservices';
import { BaseRpcContext, Server } from '@nestjs/microservices';
import type { InProcessBroker } from '@approvals/platform';
import { lastValueFrom } from 'rxjs';

/**
 * A NestJS transport strategy over the in-process broker. Handlers are ordinary
 * @EventPattern / @MessagePattern methods, so the same controllers run unchanged over Kafka.
 */
export class InProcessServer extends Server implements CustomTransportStrategy {
  constructor(private readonly broker: InProcessBroker) {
    super();
  }

  listen(callback: () => void): void {
    this.broker.attach({
      hasHandler: (pattern) => this.messageHandlers.has(pattern),
      dispatch: (pattern, data) => this.dispatch(pattern, data),
    });
    callback();
  }

  async close(): Promise<void> {
    await this.broker.drain();
    this.broker.detach();
  }

  on(): never {
    throw new Error('the in-process transport has no events to listen to');
  }

  unwrap<T>(): T {
    return this.broker as T;
  }

  private async dispatch(pattern: string, data: unknown): Promise<unknown> {
    // Patterns here are plain strings: a direct lookup skips Nest's generic route normalisation.
    const handler = this.messageHandlers.get(pattern) ?? this.getHandlerByPattern(pattern);
    if (!handler) throw new Error(`no handler for ${pattern}`);
    // Several services may subscribe to one topic; Nest chains their handlers and this waits for all.
    const result = await handler(data, new BaseRpcContext([pattern]));
    return lastValueFrom(this.transformToObservable(result), { defaultValue: undefined });
  }
}
