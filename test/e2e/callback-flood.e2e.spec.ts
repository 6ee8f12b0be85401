import { request } from 'node:http';
import type { RecordedEvent } from '@approvals/application';
import { maxRefusalEventsPerInterval } from '@approvals/application';
import { openSqliteLedger } from '@approvals/ledger-sqlite';
import type { TestSystem } from '@approvals/testing';
import { SlackDouble, startSystem } from '@approvals/testing';
import { ledgerPosition, settledLedgerPosition } from './support';

jest.setTimeout(90_000);

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A POST from a chosen loopback address (every 127.x.y.z is this machine): another client, as far as the server can tell. */
function post(url: string, body: string, headers: Record<string, string>, localAddress: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const call = request(url, { method: 'POST', headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) }, localAddress }, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (text += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: text }));
    });
    call.on('error', reject);
    call.end(body);
  });
}

// SPEC I10: unauthenticated traffic cannot grow the ledger without bound. A flood of forged Slack
// callbacks from one client is throttled (429 with Retry-After), the refusals that get through are
// recorded one by one only up to a bound and then counted, and another client's first refusal is
// still recorded in full.
describe('a flood of forged callbacks (embedded mode)', () => {
  const perMinute = 40;
  let slack: SlackDouble;
  let server: TestSystem;
  beforeAll(async () => {
    slack = await new SlackDouble().start();
    server = await startSystem('embedded', {
      env: {
        APPROVALS_SLACK_BOT_TOKEN: slack.botToken,
        APPROVALS_SLACK_SIGNING_SECRET: slack.signingSecret,
        APPROVALS_SLACK_API_URL: slack.apiUrl,
        APPROVALS_HTTP_RATE_LIMIT: String(perMinute),
      },
    });
  });
  afterAll(async () => {
    await server?.dispose();
    await slack?.stop();
  });

  it('gets 429s, adds at most the bounded number of ledger events, and still records a new source in full', async () => {
    const url = `${server.notifierHttpUrl}/slack/interactivity`;
    const forged = () => slack.signedInteraction(slack.click('U01ALICE', 'approve', '00000000-0000-4000-8000-000000000000'), { secret: 'someone-elses-secret-000000' });
    const before = await settledLedgerPosition(server.decisionHttpUrl);

    // when one client sends 150 forged callbacks
    const flood: Answer[] = [];
    for (let i = 0; i < 150; i += 1) {
      const { body, headers } = forged();
      flood.push(await post(url, body, headers, '127.0.0.1'));
    }

    // then all beyond its limit are refused with 429, a problem and when to come back
    const statuses = flood.map((answer) => answer.status);
    expect(statuses.filter((status) => status === 401)).toHaveLength(perMinute);
    expect(statuses.filter((status) => status === 429)).toHaveLength(150 - perMinute);
    const throttled = flood.find((answer) => answer.status === 429)!;
    expect(Number(throttled.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(throttled.headers['retry-after'])).toBeLessThanOrEqual(60);
    expect(JSON.parse(throttled.body)).toMatchObject({ status: 429, title: 'too many requests' });
    // and of the refusals that got through, only the first few were recorded one by one
    const afterFlood = await ledgerPosition(server.decisionHttpUrl);
    expect(afterFlood - before).toBe(5n);

    // when another client sends one, it is recorded in full at once, flood or not
    const { body, headers } = forged();
    expect((await post(url, body, headers, '127.0.0.2')).status).toBe(401);
    expect(await ledgerPosition(server.decisionHttpUrl)).toBe(afterFlood + 1n);

    // and when the service stops, the rest of the flood is one summary with its count
    await server.stop();
    const ledger = openSqliteLedger({ dataDir: server.dataDir });
    let events: RecordedEvent[];
    try {
      events = (await ledger.events.readStream('channel-security')).filter((event) => event.position > before);
    } finally {
      await ledger.close();
    }
    const data = (type: string) => events.filter((event) => event.type === type).map((event) => event.data as Record<string, unknown>);
    expect(data('ChannelCallbackRejected').map((refusal) => refusal['source'])).toEqual([
      ...Array.from({ length: 5 }, () => expect.stringMatching(/127\.0\.0\.1$/)),
      expect.stringMatching(/127\.0\.0\.2$/),
    ]);
    expect(data('ChannelCallbacksRejected')).toEqual([
      expect.objectContaining({ channel: 'slack', reason: 'FORGED_SIGNATURE', source: expect.stringMatching(/127\.0\.0\.1$/), count: perMinute - 5 }),
    ]);
    expect(events.length).toBeLessThanOrEqual(maxRefusalEventsPerInterval());
  });
});
