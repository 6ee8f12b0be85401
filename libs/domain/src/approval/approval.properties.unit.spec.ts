import fc from 'fast-check';
import type { ApprovalCommand, CastVote } from './approval.commands';
import { decide, evolve } from './approval.decider';
import type { ActionRequest, ApprovalEvent, ApprovalRequirement, PolicyOutcome, VoteCast } from './approval.events';
import { findQuorum, requiredGroups } from './approval.requirement';
import { type ApprovalState, initialState } from './approval.state';
import { actionId, agentId, at, expectInCatalogue, request } from './approval.spec-helpers';
import type { DomainError, Result } from '../errors';

// Random streams of commands against random requirements; every invariant of SPEC section 5 that
// the aggregate owns is checked on every run. The checks are written from the spec, not from the
// implementation: quorum is checked by exhaustive search, not by the matching under test.

const groupPool = ['sec', 'ops', 'fin'] as const;
const humans = [agentId, 'alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'grace'] as const;
type Directory = Record<string, string[]>;
const finalEventTypes = new Set(['ActionApproved', 'ActionDenied', 'ActionExpired', 'ActionCancelled']);

type Step =
  | { kind: 'vote'; who: string; groups: string[]; decision: 'APPROVE' | 'DENY'; t: number }
  | { kind: 'evaluate'; outcome: PolicyOutcome; t: number }
  | { kind: 'expire'; t: number }
  | { kind: 'cancel'; by: string; t: number }
  | { kind: 'notify'; t: number }
  | { kind: 'grant'; t: number }
  | { kind: 'report'; grantId: string; t: number }
  | { kind: 'redeem'; by: string; sameHash: boolean; t: number }
  | { kind: 'request'; sameHash: boolean; t: number };

interface Scenario {
  request: ActionRequest;
  /** The agent's accountable owner, when the directory names one (also never an approver, I1). */
  agentOwner?: string | undefined;
  requirement: ApprovalRequirement;
  steps: Step[];
}

const outcome: fc.Arbitrary<PolicyOutcome> = fc.oneof(
  { arbitrary: fc.constant('REQUIRE_APPROVAL' as const), weight: 8 },
  { arbitrary: fc.constantFrom('ALLOW' as const, 'DENY' as const), weight: 1 },
);

/** Seconds after T0: mostly inside the approval window, often right at its deadline, sometimes well past it. */
const timeFor = (ttl: number): fc.Arbitrary<number> =>
  fc.oneof(
    { arbitrary: fc.integer({ min: 0, max: ttl - 1 }), weight: 6 },
    { arbitrary: fc.constantFrom(ttl - 1, ttl, ttl + 1), weight: 1 },
    { arbitrary: fc.integer({ min: ttl, max: 3 * ttl }), weight: 1 },
  );

const stepFor = (ttl: number, directory: Directory): fc.Arbitrary<Step> => {
  const t = timeFor(ttl);
  return fc.oneof(
    {
      weight: 12,
      arbitrary: fc.record({
        kind: fc.constant('vote' as const),
        who: fc.constantFrom(...humans),
        decision: fc.oneof({ arbitrary: fc.constant('APPROVE' as const), weight: 5 }, { arbitrary: fc.constant('DENY' as const), weight: 1 }),
        t,
      }).map((vote) => ({ ...vote, groups: directory[vote.who] ?? [] })),
    },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('evaluate' as const), outcome, t }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('expire' as const), t }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('cancel' as const), by: fc.constantFrom(agentId, 'bob'), t }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('notify' as const), t }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('grant' as const), t }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('report' as const), grantId: fc.constantFrom('grant-1', 'grant-x'), t }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('request' as const), sameHash: fc.boolean(), t }) },
    {
      weight: 3,
      arbitrary: fc.record({ kind: fc.constant('redeem' as const), by: fc.constantFrom(agentId, agentId, 'agent-8'), sameHash: fc.boolean(), t }),
    },
  );
};

const requirementArb: fc.Arbitrary<ApprovalRequirement> = fc.record({
  steps: fc.array(fc.record({ group: fc.constantFrom(...groupPool), minApprovals: fc.constantFrom(1, 1, 1, 2, 2, 3) }), {
    minLength: 1,
    maxLength: 3,
  }),
  ttlSeconds: fc.constantFrom(60, 600, 3600),
  denyEndsRequest: fc.boolean(),
});

// Everyone, the agent and the human it acts for included, may sit in any group: there is no admin bypass.
const directoryArb: fc.Arbitrary<Directory> = fc.record(
  Object.fromEntries(humans.map((human) => [human, fc.subarray([...groupPool, 'admins', 'other'])])) as Record<string, fc.Arbitrary<string[]>>,
);

const scenarioArb: fc.Arbitrary<Scenario> = fc.tuple(requirementArb, directoryArb).chain(([requirement, directory]) =>
  fc
    .record({
      onBehalfOf: fc.option(fc.constant('alice'), { nil: undefined }),
      agentOwner: fc.option(fc.constant('bob'), { nil: undefined }),
      evaluateFirst: fc.oneof({ arbitrary: fc.constant(true), weight: 9 }, { arbitrary: fc.constant(false), weight: 1 }),
      outcome,
      // Mostly a clock that moves forward; sometimes commands arrive out of order (clock skew, redelivery).
      inOrder: fc.oneof({ arbitrary: fc.constant(true), weight: 3 }, { arbitrary: fc.constant(false), weight: 1 }),
      steps: fc.array(stepFor(requirement.ttlSeconds, directory), { maxLength: 30, size: 'medium' }),
    })
    .map(({ onBehalfOf, agentOwner, evaluateFirst, outcome: first, inOrder, steps }) => {
      const timeline = inOrder ? [...steps].sort((a, b) => a.t - b.t) : steps;
      return {
        request: { ...request, onBehalfOf },
        agentOwner,
        requirement,
        steps: evaluateFirst ? [{ kind: 'evaluate' as const, outcome: first, t: 0 }, ...timeline] : timeline,
      };
    }),
);

const toCommand = (step: Step, scenario: Scenario): ApprovalCommand => {
  const meta = { now: at(step.t) };
  switch (step.kind) {
    case 'vote':
      return { type: 'CastVote', data: { actionId, approver: { id: step.who, groups: step.groups, channel: 'slack' }, decision: step.decision }, meta };
    case 'evaluate':
      return {
        type: 'RecordEvaluation',
        data: { actionId, outcome: step.outcome, policyVersion: 'v1', determiningPolicies: ['p'], reasons: ['r'], requirement: scenario.requirement, requestHash: 'hash-1' },
        meta,
      };
    case 'expire':
      return { type: 'ExpireApproval', data: { actionId }, meta };
    case 'cancel':
      return { type: 'CancelAction', data: { actionId, cancelledBy: step.by, reason: 'changed my mind' }, meta };
    case 'notify':
      return { type: 'RecordNotification', data: { actionId, channel: 'slack', target: '#approvals' }, meta };
    case 'grant':
      return { type: 'IssueGrant', data: { actionId, grantId: 'grant-1', token: 'jws', expiresAt: at(step.t + scenario.requirement.ttlSeconds) }, meta };
    case 'report':
      return { type: 'ReportExecution', data: { actionId, agentId, grantId: step.grantId, status: 'SUCCEEDED', detail: '' }, meta };
    case 'redeem': {
      const hash = step.sameHash ? 'hash-1' : 'hash-2';
      return { type: 'RedeemGrant', data: { actionId, grantId: 'grant-1', presentedBy: step.by, requestHash: hash, tokenRequestHash: 'hash-1', tokenExpired: false }, meta };
    }
    case 'request':
      return {
        type: 'RequestAction',
        data: { actionId, request: scenario.request, requestHash: step.sameHash ? 'hash-1' : 'hash-2', agentOwner: scenario.agentOwner },
        meta,
      };
    default: {
      const unknown: never = step;
      throw new Error(`unknown step ${JSON.stringify(unknown)}`);
    }
  }
};

interface Turn {
  command: ApprovalCommand;
  before: ApprovalState;
  result: Result<ApprovalEvent[], DomainError>;
  after: ApprovalState;
}

/** Requests the action, then decides and evolves every step in order. */
function run(scenario: Scenario): { turns: Turn[]; history: ApprovalEvent[] } {
  const history: ApprovalEvent[] = [];
  const turns: Turn[] = [];
  let state = initialState();
  const commands: ApprovalCommand[] = [
    { type: 'RequestAction', data: { actionId, request: scenario.request, requestHash: 'hash-1', agentOwner: scenario.agentOwner }, meta: { now: at(0) } },
    ...scenario.steps.map((step) => toCommand(step, scenario)),
  ];
  for (const command of commands) {
    const before = state;
    const result = decide(command, before);
    if (result.ok) {
      history.push(...result.value);
      state = result.value.reduce(evolve, state);
    }
    turns.push({ command, before, result, after: state });
  }
  return { turns, history };
}

const selfIds = (scenario: Scenario): string[] =>
  [scenario.request.agentId, scenario.request.onBehalfOf, scenario.agentOwner].filter((id): id is string => id !== undefined);

const producedEvents = (turn: Turn): ApprovalEvent[] => (turn.result.ok ? turn.result.value : []);

const ms = (instant: string): number => Date.parse(instant);

/** Exhaustive search: can these voters fill every slot, each voter at most one slot? */
function canFill(requirement: ApprovalRequirement, voters: readonly { id: string; groups: readonly string[] }[]): boolean {
  const slots = requirement.steps.flatMap((step) => Array.from({ length: step.minApprovals }, () => step.group));
  const used = new Set<string>();
  const fill = (slot: number): boolean => {
    const group = slots[slot];
    if (group === undefined) return true;
    for (const voter of voters) {
      if (used.has(voter.id) || !voter.groups.includes(group)) continue;
      used.add(voter.id);
      if (fill(slot + 1)) return true;
      used.delete(voter.id);
    }
    return false;
  };
  return fill(0);
}

/** The groups an approver really had when their vote was cast, from the command, not the event. */
function trueGroupsOfVoters(turns: readonly Turn[]): Map<string, string[]> {
  const groups = new Map<string, string[]>();
  for (const turn of turns) {
    if (turn.command.type !== 'CastVote') continue;
    for (const event of producedEvents(turn)) {
      if (event.type === 'VoteCast') groups.set(event.data.approverId, turn.command.data.approver.groups);
    }
  }
  return groups;
}

const property = (check: (scenario: Scenario, turns: Turn[], history: ApprovalEvent[]) => void) =>
  fc.assert(
    fc.property(scenarioArb, (scenario) => {
      const { turns, history } = run(scenario);
      check(scenario, turns, history);
    }),
    { numRuns: 400 },
  );

describe('approval aggregate properties', () => {
  it('generates scenarios that reach every rule checked below, so no property holds vacuously', () => {
    const seen = new Map<string, number>();
    const count = (key: string) => seen.set(key, (seen.get(key) ?? 0) + 1);
    for (const scenario of fc.sample(scenarioArb, { numRuns: 1000, seed: 42 })) {
      const { turns, history } = run(scenario);
      for (const event of history) {
        count(event.type === 'VoteRejected' || event.type === 'GrantRedemptionRejected' ? `${event.type}:${event.data.reason}` : event.type);
        if (event.type === 'ActionApproved') count(`ActionApproved:${event.data.by}`);
      }
      for (const turn of turns) if (!turn.result.ok) count(`error:${turn.result.error.code}`);
    }
    const expected = [
      'VoteCast',
      'ActionApproved:APPROVERS',
      'ActionApproved:POLICY',
      'ActionDenied',
      'ActionExpired',
      'ActionCancelled',
      'ExecutionGrantIssued',
      'ExecutionReported',
      'ExecutionGrantRedeemed',
      'ExecutionGrantRevoked',
      'GrantRedemptionRejected:REPLAYED',
      'GrantRedemptionRejected:WRONG_AGENT',
      'GrantRedemptionRejected:PARAMETERS_MISMATCH',
      'VoteRejected:SELF_APPROVAL',
      'VoteRejected:NOT_ELIGIBLE',
      'VoteRejected:DUPLICATE_VOTE',
      'VoteRejected:EXPIRED',
      'VoteRejected:ALREADY_DECIDED',
      'VoteRejected:NOT_AWAITING_APPROVAL',
      'error:IDEMPOTENCY_CONFLICT',
    ];
    expect(expected.filter((key) => (seen.get(key) ?? 0) < 5).map((key) => `${key}=${seen.get(key) ?? 0}`)).toEqual([]);
  });

  it('I1: neither the agent, nor the human it acts for, nor its owner ever casts a counted vote or approves', () => {
    property((scenario, _turns, history) => {
      const selves = selfIds(scenario);
      for (const event of history) {
        if (event.type === 'VoteCast') expect(selves).not.toContain(event.data.approverId);
        if (event.type === 'ActionApproved') expect(event.data.approvedBy.filter((id) => selves.includes(id))).toEqual([]);
      }
    });
  });

  it('I1, I2: every vote attempt on an open or closed request is recorded, as VoteCast or VoteRejected', () => {
    property((_scenario, turns) => {
      for (const turn of turns) {
        if (turn.command.type !== 'CastVote' || turn.before.status === 'none') continue;
        const approverId = turn.command.data.approver.id;
        const recorded = producedEvents(turn).filter(
          (event) => (event.type === 'VoteCast' || event.type === 'VoteRejected') && event.data.approverId === approverId,
        );
        expect(recorded).toHaveLength(1);
      }
    });
  });

  it('I2: a vote is cast only by a member of a required group, for the required groups they belong to', () => {
    property((_scenario, turns) => {
      for (const turn of turns) {
        if (turn.command.type !== 'CastVote' || turn.before.status !== 'awaiting_approval') continue;
        const required = requiredGroups(turn.before.requirement);
        const actual = (turn.command as CastVote).data.approver.groups;
        for (const event of producedEvents(turn)) {
          if (event.type !== 'VoteCast') continue;
          expect(event.data.groups.length).toBeGreaterThan(0);
          for (const group of event.data.groups) {
            expect(required).toContain(group);
            expect(actual).toContain(group);
          }
        }
      }
    });
  });

  it('I2: each human casts at most one counted vote', () => {
    property((_scenario, _turns, history) => {
      const voters = history.flatMap((event) => (event.type === 'VoteCast' ? [event.data.approverId] : []));
      expect(new Set(voters).size).toBe(voters.length);
    });
  });

  it('I2: every human approval is met by distinct eligible approvers who voted APPROVE', () => {
    property((scenario, turns, history) => {
      const groupsOf = trueGroupsOfVoters(turns);
      const needed = scenario.requirement.steps.reduce((sum, step) => sum + step.minApprovals, 0);
      for (const [index, event] of history.entries()) {
        if (event.type !== 'ActionApproved' || event.data.by !== 'APPROVERS') continue;
        const { approvedBy } = event.data;
        const approvals = history
          .slice(0, index)
          .filter((e): e is VoteCast => e.type === 'VoteCast' && e.data.decision === 'APPROVE')
          .map((e) => e.data.approverId);
        expect(new Set(approvedBy).size).toBe(approvedBy.length);
        expect(approvedBy).toHaveLength(needed);
        for (const id of approvedBy) expect(approvals).toContain(id);
        const required = requiredGroups(scenario.requirement);
        const voters = approvedBy.map((id) => ({ id, groups: (groupsOf.get(id) ?? []).filter((group) => required.includes(group)) }));
        expect(canFill(scenario.requirement, voters)).toBe(true);
      }
    });
  });

  it('I2: the request is approved as soon as the APPROVE votes can meet the requirement', () => {
    property((scenario, turns) => {
      const groupsOf = trueGroupsOfVoters(turns);
      for (const turn of turns) {
        if (turn.before.status !== 'awaiting_approval') continue;
        const produced = producedEvents(turn);
        if (!produced.some((event) => event.type === 'VoteCast' && event.data.decision === 'APPROVE')) continue;
        const approvers = [...turn.before.votes, ...produced.flatMap((event) => (event.type === 'VoteCast' ? [event.data] : []))]
          .filter((vote) => vote.decision === 'APPROVE')
          .map((vote) => ({ id: vote.approverId, groups: groupsOf.get(vote.approverId) ?? [] }));
        const approved = produced.some((event) => event.type === 'ActionApproved');
        expect(approved).toBe(canFill(scenario.requirement, approvers));
      }
    });
  });

  it('I3: at most one final outcome, and a final state never changes it', () => {
    property((_scenario, turns, history) => {
      expect(history.filter((event) => finalEventTypes.has(event.type)).length).toBeLessThanOrEqual(1);
      for (const { before, after } of turns) {
        if (before.status !== 'final') continue;
        expect(after).toMatchObject({ status: 'final', outcome: before.outcome, decidedAt: before.decidedAt, approvedBy: before.approvedBy });
      }
    });
  });

  it('I3: replay keeps the first outcome even if a second one reached the stream', () => {
    const late: ApprovalEvent[] = [
      { type: 'ActionApproved', data: { actionId, approvedBy: ['zed'], by: 'APPROVERS', approvedAt: at(9999) } },
      { type: 'ActionDenied', data: { actionId, by: 'APPROVER', deniedBy: 'zed', reason: 'late', deniedAt: at(9999) } },
      { type: 'ActionExpired', data: { actionId, expiresAt: at(9999), expiredAt: at(9999) } },
      { type: 'ActionCancelled', data: { actionId, cancelledBy: agentId, reason: 'late', cancelledAt: at(9999) } },
    ];
    property((_scenario, turns) => {
      const end = turns.at(-1)?.after;
      if (end?.status !== 'final') return;
      for (const event of late) {
        expect(evolve(end, event)).toMatchObject({ outcome: end.outcome, decidedAt: end.decidedAt, approvedBy: end.approvedBy });
      }
    });
  });

  it('I4: nothing is cast or approved at or after the deadline, and a late command expires the request', () => {
    property((_scenario, turns) => {
      for (const turn of turns) {
        if (turn.before.status !== 'awaiting_approval') continue;
        const deadline = ms(turn.before.expiresAt);
        for (const event of producedEvents(turn)) {
          if (event.type === 'VoteCast') expect(ms(event.data.castAt)).toBeLessThan(deadline);
          if (event.type === 'ActionApproved') expect(ms(event.data.approvedAt)).toBeLessThan(deadline);
        }
        const late = ms(turn.command.meta.now) >= deadline;
        if (late && (turn.command.type === 'CastVote' || turn.command.type === 'ExpireApproval')) {
          expect(turn.after).toMatchObject({ status: 'final', outcome: 'EXPIRED' });
        }
      }
    });
  });

  it('I7: a repeated request with the same payload changes nothing; another payload is refused', () => {
    property((_scenario, turns) => {
      for (const turn of turns) {
        if (turn.command.type !== 'RequestAction' || turn.before.status === 'none') continue;
        if (turn.command.data.requestHash === turn.before.requestHash) {
          expect(turn.result).toEqual({ ok: true, value: [] });
        } else {
          expect(turn.result).toMatchObject({ ok: false, error: { code: 'IDEMPOTENCY_CONFLICT' } });
        }
      }
    });
  });

  it('I5: a grant is issued only for an approved action, at most once', () => {
    property((_scenario, turns, history) => {
      expect(history.filter((event) => event.type === 'ExecutionGrantIssued').length).toBeLessThanOrEqual(1);
      for (const turn of turns) {
        if (producedEvents(turn).some((event) => event.type === 'ExecutionGrantIssued')) {
          expect(turn.before).toMatchObject({ status: 'final', outcome: 'APPROVED' });
        }
      }
    });
  });

  it('I5: a grant is used at most once, only by its agent, only for the approved request, never after it was voided', () => {
    property((scenario, turns, history) => {
      const uses = history.filter((event) => event.type === 'ExecutionGrantRedeemed' || event.type === 'ExecutionReported');
      expect(uses.filter((event) => event.type === 'ExecutionGrantRedeemed').length).toBeLessThanOrEqual(1);
      // A report after a redemption is the same use; a report alone is the use.
      expect(uses.filter((event) => event.type === 'ExecutionReported').length).toBeLessThanOrEqual(1);
      for (const turn of turns) {
        for (const event of producedEvents(turn)) {
          if (event.type !== 'ExecutionGrantRedeemed') continue;
          expect(event.data.redeemedBy).toBe(scenario.request.agentId);
          expect(event.data.requestHash).toBe('hash-1');
          expect(turn.before).toMatchObject({ status: 'final', outcome: 'APPROVED', grant: { grantId: 'grant-1' } });
          expect(turn.before.status === 'final' && (turn.before.grant?.revoked ?? turn.before.execution)).toBeFalsy();
        }
      }
    });
  });

  it('every event recorded matches the event catalogue and parses back to itself', () => {
    property((_scenario, _turns, history) => expectInCatalogue(history));
  });

  it('replays: folding the recorded stream gives the state the run ended in', () => {
    property((_scenario, turns, history) => {
      expect(history.reduce(evolve, initialState())).toEqual(turns.at(-1)?.after);
    });
  });
});

describe('quorum properties', () => {
  const candidatesArb = fc.uniqueArray(
    fc.record({ id: fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f'), groups: fc.subarray([...groupPool, 'other']) }),
    { selector: (candidate) => candidate.id, maxLength: 6 },
  );

  it('I2: findQuorum meets a requirement exactly when an exhaustive search can, with distinct eligible people', () => {
    fc.assert(
      fc.property(requirementArb, candidatesArb, (requirement, candidates) => {
        const found = findQuorum(
          requirement,
          candidates.map(({ id, groups }) => ({ approverId: id, groups })),
        );
        expect(found !== undefined).toBe(canFill(requirement, candidates));
        if (!found) return;
        const needed = requirement.steps.reduce((sum, step) => sum + step.minApprovals, 0);
        expect(new Set(found).size).toBe(needed);
        expect(found).toHaveLength(needed);
        expect(canFill(requirement, candidates.filter((candidate) => found.includes(candidate.id)))).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });
});
