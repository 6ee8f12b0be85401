import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import fc from 'fast-check';
import type { LedgerEventMessage, PolicyEvaluatedMessage } from '@approvals/contracts';
import { parseMessage, requestActionCommandSchema } from '@approvals/contracts';
import type { PendingApproval, PolicyDecision } from '@approvals/application';
import { PolicyEvaluationHandler, toActionView, validateActionRequest } from '@approvals/application';
import type { ActionRequest, ApprovalEvent, ExistingActionState } from '@approvals/domain';
import { decide, foldEvents, initialState } from '@approvals/domain';
import { approvalCard } from '@approvals/channels-teams';
import { slackMessage } from '@approvals/channels-slack';
import { webhookPayload } from '@approvals/channels-webhook';
import { actionPage, esc } from './console/console-pages';

// I5: the parameters that are hashed, stored, evaluated, shown to approvers and granted are one
// canonical text. For JSON an agent could send (hostile member names, unicode, odd numbers), the
// request is either refused naming the problem, or every one of those is the same RFC 8785 text.

/** A JSON text as sent, and what about it must be refused. */
type Refusal = 'forbidden' | 'duplicate' | 'surrogate' | 'imprecise';
interface Sent {
  text: string;
  refused: Set<Refusal>;
}

const merge = (parts: Sent[]): Set<Refusal> => new Set(parts.flatMap((p) => [...p.refused]));
const fine = (text: string): Sent => ({ text, refused: new Set() });

const loneSurrogates = ['\ud800', '\udbff', '\udc00', 'a\udfffb'];
const hostileNames = ['__proto__', 'constructor', 'prototype'];
const names = fc.oneof(
  fc.constantFrom(...hostileNames, 'toString', 'hasOwnProperty', 'valueOf', '10', '9', '1', 'b', 'a', 'é', 'e\u0301', '😀', '\u0000', '', 'rows', '__proto'),
  fc.string({ maxLength: 6 }),
  fc.constantFrom(...loneSurrogates),
);
const strings = fc.oneof(fc.string({ unit: 'grapheme', maxLength: 12 }), fc.constantFrom(...loneSurrogates, '\u2028', '"\\', '\ufffd'));
/** Number texts as an agent might write them, with whether a double holds them exactly. */
const numbers: fc.Arbitrary<Sent> = fc.oneof(
  fc.constantFrom('1e21', '-0', '0', '1E3', '1.50', '5e-324', '0.30000000000000004', '-1e-7', '1e+300', '9007199254740992').map(fine),
  fc.constantFrom('12345678901234567890', '9007199254740993', '3.14159265358979323846', '1e-400').map((text): Sent => ({ text, refused: new Set<Refusal>(['imprecise']) })),
  fc.double({ noNaN: true, noDefaultInfinity: true }).map((n) => fine(JSON.stringify(n))),
  fc.integer().map((n) => fine(String(n))),
);

const quote = (text: string): Sent => ({ text: JSON.stringify(text), refused: new Set<Refusal>(text.isWellFormed() ? [] : ['surrogate']) });

/** Member names as sent: hostile and duplicate names and lone surrogates are what must be refused. */
function objectOf(entries: [string, Sent][]): Sent {
  const refused = merge(entries.map(([, v]) => v));
  const seen = new Set<string>();
  for (const [name] of entries) {
    if (hostileNames.includes(name)) refused.add('forbidden');
    if (!name.isWellFormed()) refused.add('surrogate');
    if (seen.has(name)) refused.add('duplicate');
    seen.add(name);
  }
  return { text: `{${entries.map(([name, v]) => `${JSON.stringify(name)}:${v.text}`).join(',')}}`, refused };
}

const { object: sentParameters } = fc.letrec<{ value: Sent; object: Sent }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    strings.map(quote),
    numbers,
    fc.constantFrom('true', 'false', 'null').map(fine),
    fc.array(tie('value'), { maxLength: 4 }).map((items): Sent => ({ text: `[${items.map((i) => i.text).join(',')}]`, refused: merge(items) })),
    tie('object'),
  ),
  object: fc.array(fc.tuple(names, tie('value')), { maxLength: 6 }).map(objectOf),
}));

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const T0 = '2026-12-07T10:00:00.000Z';
const roundTrip = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

function inputWith(parametersJson: string) {
  return {
    model: 'gpt-test',
    onBehalfOf: '',
    action: 'db.export',
    resource: { kind: 'dataset', id: 'customers' },
    environment: 'prod',
    dataClassification: 'internal',
    parametersJson,
    justification: 'property test',
    idempotencyKey: 'key-1',
    runId: '',
  };
}

/** The request as the decision service records it: over the wire (bus), decided, stored and read back. */
function recordedState(request: ActionRequest, requestHash: string): ExistingActionState {
  const command = parseMessage(
    requestActionCommandSchema,
    roundTrip({ type: 'RequestAction', data: { actionId: 'act-1', request, requestHash }, metadata: { messageId: 'm1', occurredAt: T0 } }),
    'RequestAction',
  );
  const decided = decide({ type: 'RequestAction', data: { ...command.data, request: command.data.request as ActionRequest }, meta: { now: T0 } }, initialState());
  if (!decided.ok) throw new Error(decided.error.message);
  const state = foldEvents(roundTrip(decided.value) as ApprovalEvent[]);
  if (state.status === 'none') throw new Error('nothing recorded');
  return state;
}

/** What the policy evaluator saw, and the hash it reports, for the recorded ActionRequested. */
async function evaluated(state: ExistingActionState): Promise<{ seen: ActionRequest; reportedHash: string }> {
  const seen: ActionRequest[] = [];
  const published: PolicyEvaluatedMessage[] = [];
  const decision: PolicyDecision = { outcome: 'ALLOW', policyVersion: 'v1', determiningPolicies: ['p'], reasons: ['r'] };
  const handler = new PolicyEvaluationHandler(
    { version: 'v1', evaluate: (request) => (seen.push(request), decision) },
    { publish: async (_topic, _key, message) => void published.push(message as PolicyEvaluatedMessage) },
    { now: () => new Date(T0) },
    { next: () => 'id' },
  );
  const message: LedgerEventMessage = roundTrip({
    type: 'ActionRequested',
    data: { actionId: state.actionId, request: state.request, requestHash: state.requestHash, requestedAt: T0 },
    metadata: { messageId: 'e1', eventId: 'e1', streamId: 'action-act-1', revision: 0, position: '1', occurredAt: T0 },
  });
  await handler.onLedgerEvent(message);
  return { seen: seen[0]!, reportedHash: published[0]!.data.requestHash };
}

function pendingOf(state: ExistingActionState): PendingApproval {
  const { request } = state;
  return {
    actionId: state.actionId,
    agentId: request.agentId,
    action: request.action,
    resource: request.resource,
    environment: request.environment,
    dataClassification: request.dataClassification,
    parameters: request.parameters,
    requestHash: state.requestHash,
    justification: request.justification,
    steps: [{ group: 'data-owners', minApprovals: 1 }],
    approvedBy: [],
    voters: [],
    reasons: [],
    requestedAt: T0,
    expiresAt: '2026-12-07T10:15:00.000Z',
    notified: false,
  };
}

describe('parameters: displayed = stored = hashed = evaluated = granted (I5)', () => {
  it('holds for any JSON an agent sends, or the request is refused naming what breaks it', async () => {
    await fc.assert(
      fc.asyncProperty(sentParameters, async (sent) => {
        const validated = validateActionRequest('agent-reporting', inputWith(sent.text), () => true);
        if (!validated.ok) {
          expect([...sent.refused]).not.toEqual([]);
          expect(validated.violations).toEqual([{ field: 'parameters_json', description: expect.stringMatching(/ at \$/) }]);
          return;
        }
        expect([...sent.refused]).toEqual([]);

        // The reference: the value the agent sent, in RFC 8785 form, by an independent reading.
        const canonical = canonicalize(JSON.parse(sent.text))!;
        const request = validated.request;
        const hashed = sha256(canonicalize(request)!);

        const state = recordedState(request, hashed);
        expect(canonicalize(state.request.parameters)).toBe(canonical); // stored
        expect(state.requestHash).toBe(hashed); // hashed, and bound into every grant (ExecutionGrantIssued carries state.requestHash)
        expect(sha256(canonicalize(state.request)!)).toBe(hashed);

        const { seen, reportedHash } = await evaluated(state);
        expect(canonicalize(seen.parameters)).toBe(canonical); // evaluated
        expect(reportedHash).toBe(hashed);

        const item = pendingOf(state);
        expect(toActionView(state, 0).parametersJson).toBe(canonical); // CLI and GetAction
        expect(toActionView(state, 0).requestHash).toBe(hashed);
        expect(webhookPayload(item)['parameters']).toEqual({ hidden: false, canonicalJson: canonical });
        const page = actionPage({ humanId: 'alice', csrf: 'x' }, state, [], false);
        expect(page).toContain(`<dd>${esc(canonical)}</dd>`);
        if (canonical.length <= 1500 && Object.keys(state.request.parameters).length > 0) {
          expect(JSON.stringify(slackMessage(item, new Date(T0)).blocks)).toContain(JSON.stringify(`*Parameters*\n\`\`\`${canonical}\`\`\``).slice(1, -1));
          expect(JSON.stringify(approvalCard(item, new Date(T0)))).toContain(JSON.stringify(`**Parameters:** ${canonical}`).slice(1, -1));
        }
      }),
      { numRuns: 400 },
    );
  });
});
