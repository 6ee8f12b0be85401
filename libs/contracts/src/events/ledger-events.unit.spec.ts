import { InvalidMessageError } from '../bus/messages';
import {
  LedgerEventError,
  actionEventTypes,
  hasLedgerRoute,
  ledgerEventTypes,
  parseActionEvent,
  parseLedgerEvent,
  routeLedgerEvent,
  type LedgerEventRoutes,
} from './ledger-events';

describe('the event catalogue', () => {
  const vote = { actionId: 'a-1', approverId: 'alice', channel: 'cli', decision: 'APPROVE', groups: ['data-owners'], castAt: '2026-01-01T00:00:00.000Z' };
  const requested = {
    actionId: 'a-1',
    request: {
      agentId: 'agent-reporting',
      model: 'm',
      action: 'db.export',
      resource: { kind: 'table', id: 'customers' },
      environment: 'prod',
      parameters: { rows: 10 },
      justification: 'weekly',
      idempotencyKey: 'k-1',
    },
    requestHash: 'a'.repeat(64),
    requestedAt: '2026-01-01T00:00:00.000Z',
  };

  it('types an event of a known type and leaves other types to their readers', () => {
    expect(parseLedgerEvent('VoteCast', vote)).toEqual({ type: 'VoteCast', data: vote });
    expect(parseLedgerEvent('Noted', { anything: 1 })).toBeUndefined();
    expect(parseLedgerEvent('toString', {})).toBeUndefined();
  });

  it('names the first bad field of data that does not match, as a poison message', () => {
    const parse = () => parseLedgerEvent('VoteCast', { ...vote, decision: 'MAYBE' });
    expect(parse).toThrow(LedgerEventError);
    expect(parse).toThrow(/^VoteCast data: decision: /);
    expect(parse).toThrow(InvalidMessageError);
    expect(() => parseLedgerEvent('ActionRequested', { ...requested, request: { ...requested.request, parameters: [1] } })).toThrow(
      /^ActionRequested data: request\.parameters: must be a JSON object$/,
    );
  });

  it('keeps only the fields the schema knows', () => {
    expect(parseLedgerEvent('VoteCast', { ...vote, extra: 'x' })?.data).toEqual(vote);
  });

  it('keeps parameters as the very object recorded, so an own "__proto__" member never becomes a prototype', () => {
    const parameters = JSON.parse('{"__proto__": {"isAdmin": true}, "rows": 1}') as Record<string, unknown>;
    const event = parseLedgerEvent('ActionRequested', { ...requested, request: { ...requested.request, parameters } });
    expect(event?.type).toBe('ActionRequested');
    const kept = event?.type === 'ActionRequested' ? event.data.request.parameters : undefined;
    expect(kept).toBe(parameters);
    expect(Object.getPrototypeOf(kept)).toBe(Object.prototype);
    expect((kept as { isAdmin?: unknown }).isAdmin).toBeUndefined();
  });

  it('tells action-stream events from the other streams', () => {
    expect(parseActionEvent('VoteCast', vote)?.type).toBe('VoteCast');
    expect(parseActionEvent('StandingApprovalIndexed', { actionId: 'a-1', expiresAt: '2026-01-01T00:00:00.000Z' })).toBeUndefined();
    expect(parseLedgerEvent('StandingApprovalIndexed', { actionId: 'a-1', expiresAt: '2026-01-01T00:00:00.000Z' })?.type).toBe('StandingApprovalIndexed');
    expect(ledgerEventTypes).toEqual(expect.arrayContaining([...actionEventTypes, 'PolicySetActivated', 'StandingApprovalIndexed', 'ChannelCallbackRejected', 'ChannelCallbacksRejected']));
    expect(ledgerEventTypes).toHaveLength(actionEventTypes.length + 4);
  });

  it('routes each event to its own handler, and nowhere when the consumer ignores its type', () => {
    const routes = Object.fromEntries(ledgerEventTypes.map((type) => [type, null])) as unknown as LedgerEventRoutes<string, string>;
    const withVote: LedgerEventRoutes<string, string> = { ...routes, VoteCast: (event, context) => `${context}:${event.data.approverId}` };
    const event = parseLedgerEvent('VoteCast', vote)!;
    expect(routeLedgerEvent(withVote, event, 'ctx')).toBe('ctx:alice');
    expect(routeLedgerEvent(routes, event, 'ctx')).toBeUndefined();
    expect(hasLedgerRoute(withVote, 'VoteCast')).toBe(true);
    expect(hasLedgerRoute(withVote, 'VoteRejected')).toBe(false);
    expect(hasLedgerRoute(withVote, 'Noted')).toBe(false);
  });
});
