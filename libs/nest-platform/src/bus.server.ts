import type { CustomTransportStrategy, MessageHandler, MsPattern } from '@nestjs/microservices';
import { BaseRpcContext, Server } from '@nestjs/microservices';
import { lastValueFrom } from 'rxjs';
import { stampActiveTrace } from '@approvals/telemetry';

const busTransport = Symbol('approvals-bus');

/**
 * What our bus transports (in-process and Kafka) share: the handler table and how a message
 * reaches its handlers. Handlers are ordinary @EventPattern / @MessagePattern methods, so the same
 * controllers run unchanged over either transport.
 */
export abstract class BusServer extends Server implements CustomTransportStrategy {
  /** Our own transport id: Nest then leaves @GrpcMethod handlers to the gRPC server alone. */
  override transportId = busTransport;
  /** Every subscriber of each topic, kept apart instead of chained by Nest (see dispatch). */
  private readonly subscribers = new Map<string, MessageHandler[]>();

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

  /** Topics some handler subscribes to (@EventPattern). */
  protected subscribedTopics(): string[] {
    return [...this.subscribers.keys()];
  }

  /** Commands some handler answers (@MessagePattern). */
  protected servedCommands(): string[] {
    return [...this.messageHandlers.entries()].filter(([, handler]) => !handler.isEventHandler).map(([pattern]) => pattern);
  }

  protected hasHandler(pattern: string): boolean {
    return this.messageHandlers.has(pattern);
  }

  /** Runs every subscriber of a topic, or the one handler of a command, and returns the reply. */
  protected async dispatch(pattern: string, data: unknown): Promise<unknown> {
    // The transport's consumer span is active here: what the handlers record or publish continues it.
    stampActiveTrace(data);
    const subscribers = this.subscribers.get(pattern);
    if (subscribers) {
      // Several services may subscribe to one topic. Nest would chain them with forkJoin, which stops
      // waiting at the first failure, so a retry could overlap a subscriber still at work.
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

  on(): never {
    throw new Error('this transport has no events to listen to');
  }
}

/**
 * Nest's default exception filter turns a handler's error into a plain `{ status, message }`
 * object (see BusExceptionFilter, which keeps the Error): make whatever arrives an Error again,
 * so dead letters and callers can read it.
 */
function asError(pattern: string, error: unknown): Error {
  if (error instanceof Error) return error;
  const message = typeof error === 'object' && error !== null && 'message' in error ? String(error.message) : String(error);
  return new Error(`handler of ${pattern} failed: ${message}`, { cause: error });
}
