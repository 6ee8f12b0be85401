import type { ApprovalCommand } from './approval.commands';
import type { ApprovalEvent, ApprovalRequirement } from './approval.events';
import { actionId, at, commands, events, given, histories, onBehalfOf, rejected, requirement } from './approval.spec-helpers';

const escalating = (overrides: Partial<ApprovalRequirement> = {}) =>
  requirement({ escalation: [{ afterSeconds: 120, group: 'leads' }, { afterSeconds: 300, group: 'oncall' }], ...overrides });

const escalate = (now: string): ApprovalCommand => ({ type: 'EscalateApproval', data: { actionId }, meta: { now } });
const escalated = (group: string, afterSeconds: number, now: string): ApprovalEvent => ({
  type: 'ApprovalEscalated',
  data: { actionId, group, afterSeconds, escalatedAt: now },
});

describe('approval decider: escalation when nobody answers', () => {
  it('asks each fallback group once its time has come, in order, and not before', () => {
    given(histories.awaiting(escalating())).when(escalate(at(119))).thenNothingHappens();
    const state = given(histories.awaiting(escalating())).when(escalate(at(120))).then([escalated('leads', 120, at(120))]);
    expect(state).toMatchObject({ escalatedGroups: ['leads'] });
    given([...histories.awaiting(escalating()), escalated('leads', 120, at(120))]).when(escalate(at(200))).thenNothingHappens();
    given(histories.awaiting(escalating())).when(escalate(at(301))).then([escalated('leads', 120, at(301)), escalated('oncall', 300, at(301))]);
  });

  it('never escalates a decided request, one past its deadline, or one the policy gives no fallback', () => {
    given(histories.approvedByHumans()).when(escalate(at(500))).thenNothingHappens();
    given(histories.awaiting(escalating())).when(escalate(at(600))).thenNothingHappens();
    given(histories.awaiting(requirement())).when(escalate(at(500))).thenNothingHappens();
  });

  it('lets a member of an escalated group stand in for a required group, but not before the escalation', () => {
    const before = commands.castVote('lena', ['leads'], 'APPROVE', at(60));
    given(histories.awaiting(escalating())).when(before).then([rejected(before, 'NOT_ELIGIBLE')]);

    const history = [...histories.awaiting(escalating()), escalated('leads', 120, at(120))];
    given(history)
      .when(commands.castVote('lena', ['leads'], 'APPROVE', at(130)))
      .then([events.voteCast('lena', ['sec'], 'APPROVE', at(130)), events.approvedBy(['lena'], at(130))]);
  });

  it('keeps I1 for stand-ins: the human the agent acts for cannot approve through a fallback group', () => {
    const history = [...histories.awaiting(escalating()), escalated('leads', 120, at(120))];
    const vote = commands.castVote(onBehalfOf, ['leads'], 'APPROVE', at(130));
    given(history).when(vote).then([rejected(vote, 'SELF_APPROVAL')]);
  });
});
