import { Metadata, status } from '@grpc/grpc-js';
import type { RpcException } from '@nestjs/microservices';
import type { Directory } from '@approvals/application';
import { authenticateAgent, authenticateApprover, isValidTraceparent, isValidTracestate, traceFrom } from './grpc-auth';

const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

function metadataWith(entries: Record<string, string>): Metadata {
  const metadata = new Metadata();
  for (const [key, value] of Object.entries(entries)) metadata.set(key, value);
  return metadata;
}

/** Only what authentication needs: the demo keys of one agent and one human. */
const directory = {
  authenticate: (apiKey: string) =>
    ({ 'key-agent': { kind: 'agent', id: 'agent-ops' }, 'key-alice': { kind: 'human', id: 'alice' } })[apiKey] as
      | { kind: 'agent' | 'human'; id: string }
      | undefined,
} as Directory;

function refusal(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    const { code, details } = (error as RpcException).getError() as { code: number; details: string };
    return `${status[code]}: ${details}`;
  }
  throw new Error('expected a refusal');
}

describe('traceFrom', () => {
  it('keeps a valid traceparent and tracestate', () => {
    const tracestate = 'rojo=00f067aa0ba902b7, congo=t61rcWkgMzE,acme@tenant=x';

    expect(traceFrom(metadataWith({ traceparent, tracestate }))).toEqual({ traceparent, tracestate });
  });

  it('is empty without metadata or trace context', () => {
    expect(traceFrom(undefined)).toEqual({});
    expect(traceFrom(new Metadata())).toEqual({});
  });

  it.each([
    ['another version', traceparent.replace(/^00/, '01')],
    ['upper-case hex', traceparent.toUpperCase()],
    ['an all-zero trace id', `00-${'0'.repeat(32)}-00f067aa0ba902b7-01`],
    ['an all-zero span id', `00-4bf92f3577b34da6a3ce929d0e0e4736-${'0'.repeat(16)}-01`],
    ['a short trace id', '00-4bf92f3577b34da6-00f067aa0ba902b7-01'],
    ['trailing data', `${traceparent}-extra`],
    ['junk', 'x'.repeat(10_000)],
  ])('ignores a traceparent with %s, and its tracestate too', (_, value) => {
    expect(isValidTraceparent(value)).toBe(false);
    expect(traceFrom(metadataWith({ traceparent: value, tracestate: 'rojo=1' }))).toEqual({});
  });

  it.each([
    ['over 512 characters', `a=${'b'.repeat(511)}`],
    ['a member without "="', 'rojo'],
    ['an upper-case key', 'Rojo=1'],
    ['a value with "="', 'rojo=a=b'],
    ['more than 32 members', Array.from({ length: 33 }, (_, i) => `k${i}=v`).join(',')],
  ])('ignores a tracestate %s but keeps the traceparent', (_, tracestate) => {
    expect(isValidTracestate(tracestate)).toBe(false);
    expect(traceFrom(metadataWith({ traceparent, tracestate }))).toEqual({ traceparent });
  });

  it('accepts empty list members and optional whitespace', () => {
    expect(isValidTracestate(' rojo=1 ,, congo=2\t')).toBe(true);
  });
});

describe('authenticateAgent', () => {
  it("returns the agent's id", () => {
    expect(authenticateAgent(metadataWith({ 'x-api-key': 'key-agent' }), directory)).toBe('agent-ops');
  });

  it('refuses a call without a key, an unknown key and a human', () => {
    expect(refusal(() => authenticateAgent(new Metadata(), directory))).toBe(
      'UNAUTHENTICATED: missing credentials: send your API key in the x-api-key metadata',
    );
    expect(refusal(() => authenticateAgent(metadataWith({ 'x-api-key': 'nope' }), directory))).toBe('UNAUTHENTICATED: unknown API key');
    expect(refusal(() => authenticateAgent(metadataWith({ 'x-api-key': 'key-alice' }), directory))).toBe(
      'PERMISSION_DENIED: alice is a human, not an agent: only agents may call the intake',
    );
  });
});

describe('authenticateApprover', () => {
  it("returns the human's id", () => {
    expect(authenticateApprover(metadataWith({ 'x-api-key': 'key-alice' }), directory, 'cast votes')).toBe('alice');
  });

  it('refuses a call without a key and an unknown key', () => {
    expect(refusal(() => authenticateApprover(undefined, directory, 'cast votes'))).toMatch(/^UNAUTHENTICATED: missing credentials/);
    expect(refusal(() => authenticateApprover(metadataWith({ 'x-api-key': 'nope' }), directory, 'cast votes'))).toBe(
      'UNAUTHENTICATED: unknown API key',
    );
  });

  it.each(['cast votes', 'list pending approvals', 'read the audit trail'])('tells an agent it may not %s', (attempt) => {
    expect(refusal(() => authenticateApprover(metadataWith({ 'x-api-key': 'key-agent' }), directory, attempt))).toBe(
      `PERMISSION_DENIED: agent-ops is an agent, not a person: only people may ${attempt}`,
    );
  });

  it('names the decision and audit services when the caller does not say what was tried', () => {
    expect(refusal(() => authenticateApprover(metadataWith({ 'x-api-key': 'key-agent' }), directory))).toBe(
      'PERMISSION_DENIED: agent-ops is an agent, not a person: only people may use the decision and audit services',
    );
  });
});
