import type { CustomTransportStrategy, MessageHandler, MsPattern } from '@nestjs/microservices';
import { BaseRpcContext, Server } from '@nestjs/microservices';
import type { InProcessBroker } from '@approvals/platform';
import { lastValueFrom } from 'rxjs';

/**
 * A NestJS transport strategy over the in-process broker. Handlers are ordinary
 * @EventPattern / @MessagePattern methods, so the same controllers run unchanged over Kafka.
 */
export class InProcessServer extends Server implements CustomTransportStrategy {
  /** Every subscriber of each topic, kept apart instead of chained by Nest (see dispatch). */
  private readonly subscribers = new Map<string, MessageHandler[]>();

  constructor(private readonly broker: InProcessBroker) {
    super();
  }

  override addHandler(pattern: MsPattern, callback: MessageHandler, isEventHandler = false, extras: Record<string, unknown> = {}): void {
    if (!isEventHandler) return super.addHandler(pattern, callback, isEventHandler, extras);
    const route = this.normalizePattern(pattern);
    const subscribers = this.subscribers.get(route);
    if (subscribers) subscribers.push(callback);
    else {
      this.subscribers.set(route, [callback]);
      super.addHandler(pattern, callback, isEventHandler, extras);
    }
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
    const subscribers = this.subscribers.get(pattern);
    if (subscribers) {
      // Several services may subscribe to one topic. Nest would chain them with forkJoin, which stops
      // waiting at the first failure, so the broker's retry could overlap a subscriber still at work.
      const results = await Promise.allSettled(subscribers.map((handler) => this.invoke(pattern, handler, data)));
      const failure = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
      if (failure) throw failure.reason;
      return undefined;
    }
    // Patterns here are plain strings: a direct lookup skips Nest's generic route normalisation.
    const handler = this.messageHandlers.get(pattern) ?? this.getHandlerByPattern(pattern);
    if (!handler) throw new Error(`no handler for ${pattern}`);
    return this.invoke(pattern, handler, data);
  }

  private async invoke(pattern: string, handler: MessageHandler, data: unknown): Promise<unknown> {
    try {
      const result = await handler(data, new BaseRpcContext([pattern]));
      return await lastValueFrom(this.transformToObservable(result), { defaultValue: undefined });
    } catch (error) {
      throw asError(pattern, error);
    }
  }
}

/**
 * Nest's exception filter logs an unexpected handler error and rethrows it as a plain
 * `{ status, message }` object: make that an Error again, so dead letters and callers can read it.
 */
function asError(pattern: string, error: unknown): Error {
  if (error instanceof Error) return error;
  const message = typeof error === 'object' && error !== null && 'message' in error ? String(error.message) : String(error);
  return new Error(`handler of ${pattern} failed: ${message}`, { cause: error });
}
