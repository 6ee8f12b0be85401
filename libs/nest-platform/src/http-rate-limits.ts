import type { INestApplication } from '@nestjs/common';
import type { AppConfig } from '@approvals/config';
import type { Logger } from '@approvals/telemetry';
import { MetricNames, approvalsMeter } from '@approvals/telemetry';
import { rateLimit } from 'express-rate-limit';

/** What orchestrators and scrapers call: limited too, but ten times as generously. */
const probePaths = new Set(['/healthz', '/readyz', '/metrics', '/.well-known/jwks.json']);

interface ExpressLike {
  set(setting: string, value: unknown): void;
}

/**
 * Limits the requests each client address may make to the HTTP port (APPROVALS_HTTP_RATE_LIMIT
 * per minute; the callbacks of Slack, Teams and webhooks, the console, everything but the probes),
 * answering `429` with `Retry-After` and an RFC 9457 problem beyond it (SPEC I10: unauthenticated
 * traffic must not get unlimited work, or ledger records, out of us). The client is the peer of the
 * connection unless APPROVALS_HTTP_TRUST_PROXY names the proxies that may say otherwise; IPv6
 * clients are counted per /56, as one customer's network usually is. Counters live in memory for
 * one minute, so they are bounded by the addresses seen in a minute.
 */
export function limitHttpRequests(app: INestApplication, config: AppConfig, logger: Logger): void {
  (app.getHttpAdapter().getInstance() as ExpressLike).set('trust proxy', config.httpTrustProxy);
  const perMinute = config.httpRateLimitPerMinute;
  if (perMinute === 0) return;
  const log = logger.child({ component: 'http-rate-limit' });
  const throttled = approvalsMeter().createCounter(MetricNames.httpThrottled, { description: 'HTTP requests refused by the per-client rate limit', unit: '{request}' });
  const limiter = (name: string, limit: number) =>
    rateLimit({
      windowMs: 60_000,
      limit,
      standardHeaders: 'draft-8',
      legacyHeaders: false,
      identifier: name,
      logger: { warn: (err: unknown) => log.warn({ err }, 'rate limiter'), error: (err: unknown) => log.error({ err }, 'rate limiter') },
      handler: (request, response) => {
        throttled.add(1, { 'approvals.rate_limit': name });
        response
          .status(429)
          .type('application/problem+json')
          .send(
            JSON.stringify({
              type: 'about:blank',
              title: 'too many requests',
              status: 429,
              detail: `more than ${limit} requests a minute from ${String(request.ip)}; try again after the seconds in Retry-After`,
            }),
          );
      },
    });
  const probes = limiter('probes', 10 * perMinute);
  const requests = limiter('requests', perMinute);
  app.use((request: { path: string }, response: unknown, next: () => void) => (probePaths.has(request.path) ? probes : requests)(request as never, response as never, next));
}
