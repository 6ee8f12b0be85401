import { SlackRequestVerifier, slackSignature } from './slack-signature';

// The example from Slack's documentation of request signing.
const secret = '8f742231b10e8888abcd99yyyzzz85a5';
const timestamp = '1531420618';
const body =
  'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c';

describe('Slack request signatures', () => {
  const at = (seconds: number) => () => seconds * 1000;

  it('computes the signature of Slack’s documented example', () => {
    expect(slackSignature(secret, timestamp, body)).toBe('v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503');
  });

  it('accepts a signed request within five minutes, naming its signature as the replay key until the window ends', () => {
    const verifier = new SlackRequestVerifier(secret, at(Number(timestamp) + 299));
    const signature = slackSignature(secret, timestamp, body);
    expect(verifier.verify({ signature, timestamp }, Buffer.from(body))).toEqual({ ok: true, replayKey: signature, keepUntil: new Date((Number(timestamp) + 300) * 1000) });
  });

  it.each<[string, { signature?: string; timestamp?: string }, string, number, string]>([
    ['no signature', { timestamp }, body, 0, 'MISSING_SIGNATURE'],
    ['a timestamp more than five minutes old', { signature: slackSignature(secret, timestamp, body), timestamp }, body, 301, 'STALE_TIMESTAMP'],
    ['a timestamp in the future', { signature: slackSignature(secret, timestamp, body), timestamp }, body, -301, 'STALE_TIMESTAMP'],
    ['a changed body', { signature: slackSignature(secret, timestamp, body), timestamp }, `${body}&x=1`, 0, 'FORGED_SIGNATURE'],
    ['another secret', { signature: slackSignature('not-the-secret', timestamp, body), timestamp }, body, 0, 'FORGED_SIGNATURE'],
    ['a garbled signature', { signature: 'v0=abc', timestamp }, body, 0, 'FORGED_SIGNATURE'],
  ])('refuses %s', (_name, headers, raw, skew, reason) => {
    const verifier = new SlackRequestVerifier(secret, at(Number(timestamp) + skew));
    expect(verifier.verify(headers, Buffer.from(raw))).toMatchObject({ ok: false, reason });
  });
});
