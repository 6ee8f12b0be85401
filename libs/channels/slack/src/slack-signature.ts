import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Slack's request signing (https://api.slack.com/authentication/verifying-requests-from-slack):
 * `x-slack-signature` is `v0=` and the hex HMAC-SHA256, keyed with the app's signing secret, of
 * `v0:<x-slack-request-timestamp>:<raw body>`. Requests older than five minutes are refused and
 * the signature is compared in constant time. That each signed request is accepted only once is
 * for its receiver to keep, across its replicas (the notifier's shared ReplayGuard).
 */
export const SLACK_TIMESTAMP_WINDOW_SECONDS = 300;

export type SlackRequestRefusal = 'MISSING_SIGNATURE' | 'STALE_TIMESTAMP' | 'FORGED_SIGNATURE' | 'REPLAYED';

/** A genuine request names what identifies it against replays, and until when a replay of it could pass. */
export type SlackRequestCheck = { ok: true; replayKey: string; keepUntil: Date } | { ok: false; reason: SlackRequestRefusal; detail: string };

export function slackSignature(signingSecret: string, timestamp: string, rawBody: Buffer | string): string {
  return `v0=${createHmac('sha256', signingSecret).update(`v0:${timestamp}:`).update(rawBody).digest('hex')}`;
}

export class SlackRequestVerifier {
  constructor(
    private readonly signingSecret: string,
    private readonly now: () => number = Date.now,
  ) {}

  verify(headers: { signature?: string | undefined; timestamp?: string | undefined }, rawBody: Buffer): SlackRequestCheck {
    const { signature, timestamp } = headers;
    if (!signature || !timestamp) return { ok: false, reason: 'MISSING_SIGNATURE', detail: 'x-slack-signature and x-slack-request-timestamp are required' };
    const seconds = Number(timestamp);
    const nowSeconds = Math.floor(this.now() / 1000);
    if (!/^\d{1,12}$/.test(timestamp) || Math.abs(nowSeconds - seconds) > SLACK_TIMESTAMP_WINDOW_SECONDS) {
      return { ok: false, reason: 'STALE_TIMESTAMP', detail: `the request timestamp is not within ${SLACK_TIMESTAMP_WINDOW_SECONDS} s of now` };
    }
    const expected = Buffer.from(slackSignature(this.signingSecret, timestamp, rawBody));
    const given = Buffer.from(signature);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      return { ok: false, reason: 'FORGED_SIGNATURE', detail: 'the signature does not match the body' };
    }
    return { ok: true, replayKey: signature, keepUntil: new Date((seconds + SLACK_TIMESTAMP_WINDOW_SECONDS) * 1000) };
  }
}
