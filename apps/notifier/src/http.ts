import { HttpException } from '@nestjs/common';

/** What the notifier's HTTP endpoints read of a request: headers, and the raw body (NestFactory rawBody: true). */
export interface RawRequest {
  headers: Record<string, string | string[] | undefined>;
  rawBody?: Buffer | undefined;
  originalUrl?: string | undefined;
  /** The client's address (Express's, so behind trusted proxies the one they name). */
  ip?: string | undefined;
}

/** Where a request came from, for the records of refused callbacks and the rate limits. */
export const clientAddress = (request: RawRequest): string => request.ip ?? 'unknown';

/** One header's value, when it was sent once. */
export function header(request: RawRequest, name: string): string | undefined {
  const value = request.headers[name];
  return typeof value === 'string' ? value : undefined;
}

/** An RFC 9457 problem response. */
export function problem(status: number, title: string, detail: string): HttpException {
  return new HttpException({ type: 'about:blank', title, status, detail }, status);
}

/** The notifier's guard against replayed channel callbacks (the shared service state's). */
export const REPLAY_GUARD = Symbol('ReplayGuard');
