import type { ApprovalRequirement } from './approval.events';
import { type QuorumCandidate, findQuorum, requiredGroups, validateRequirement } from './approval.requirement';

const requirementOf = (...steps: [string, number][]): ApprovalRequirement => ({
  steps: steps.map(([group, minApprovals]) => ({ group, minApprovals })),
  ttlSeconds: 60,
  denyEndsRequest: true,
});
const candidate = (approverId: string, ...groups: string[]): QuorumCandidate => ({ approverId, groups });

describe('findQuorum', () => {
  it('is not met without candidates', () => {
    expect(findQuorum(requirementOf(['sec', 1]), [])).toBeUndefined();
  });

  it('is met by one member for a single step', () => {
    expect(findQuorum(requirementOf(['sec', 1]), [candidate('bob', 'sec')])).toEqual(['bob']);
  });

  it('needs N distinct members for N of M', () => {
    const req = requirementOf(['sec', 3]);
    expect(findQuorum(req, [candidate('a', 'sec'), candidate('b', 'sec')])).toBeUndefined();
    expect(findQuorum(req, [candidate('a', 'sec'), candidate('b', 'sec'), candidate('c', 'sec')])).toEqual(['a', 'b', 'c']);
  });

  it('counts one human once even when they are in both groups', () => {
    expect(findQuorum(requirementOf(['sec', 1], ['ops', 1]), [candidate('bob', 'sec', 'ops')])).toBeUndefined();
  });

  it('counts one human once even when listed twice', () => {
    expect(findQuorum(requirementOf(['sec', 2]), [candidate('bob', 'sec'), candidate('bob', 'sec')])).toBeUndefined();
  });

  it('re-seats an earlier approver to make room (augmenting path)', () => {
    const req = requirementOf(['sec', 1], ['ops', 1]);
    expect(findQuorum(req, [candidate('bob', 'sec', 'ops'), candidate('carol', 'sec')])).toEqual(['bob', 'carol']);
  });

  it('follows a longer augmenting path', () => {
    // a can sit in A or B, b in B or C, c only in A: c takes A, a moves to B, b moves to C.
    const req = requirementOf(['A', 1], ['B', 1], ['C', 1]);
    const candidates = [candidate('a', 'A', 'B'), candidate('b', 'B', 'C'), candidate('c', 'A')];
    expect(findQuorum(req, candidates)).toEqual(['a', 'b', 'c']);
  });

  it('uses step capacities', () => {
    const req = requirementOf(['sec', 2], ['ops', 1]);
    const candidates = [candidate('a', 'sec', 'ops'), candidate('b', 'sec', 'ops'), candidate('c', 'ops')];
    expect(findQuorum(req, candidates)).toEqual(['a', 'b', 'c']);
    expect(findQuorum(req, candidates.slice(0, 2))).toBeUndefined();
  });

  it('treats two steps naming the same group as two slots', () => {
    const req = requirementOf(['sec', 1], ['sec', 1]);
    expect(findQuorum(req, [candidate('a', 'sec')])).toBeUndefined();
    expect(findQuorum(req, [candidate('a', 'sec'), candidate('b', 'sec')])).toEqual(['a', 'b']);
  });

  it('ignores members of other groups', () => {
    expect(findQuorum(requirementOf(['sec', 1]), [candidate('bob', 'ops', 'admins')])).toBeUndefined();
  });

  it('returns only the approvers it needed, in vote order', () => {
    const req = requirementOf(['sec', 1], ['ops', 1]);
    const candidates = [candidate('a', 'sec'), candidate('b', 'sec'), candidate('c', 'ops'), candidate('d', 'ops')];
    expect(findQuorum(req, candidates)).toEqual(['a', 'c']);
  });

  it('stays fast for a huge quorum nobody can meet', () => {
    expect(findQuorum(requirementOf(['sec', 1_000_000_000]), [candidate('a', 'sec')])).toBeUndefined();
  });
});

describe('requiredGroups', () => {
  it('lists each group once in step order', () => {
    expect(requiredGroups(requirementOf(['ops', 1], ['sec', 2], ['ops', 1]))).toEqual(['ops', 'sec']);
  });
});

describe('validateRequirement', () => {
  it('accepts a well-formed requirement', () => {
    expect(validateRequirement(requirementOf(['sec', 2], ['ops', 1]))).toBeUndefined();
  });

  it('names the offending field', () => {
    expect(validateRequirement(requirementOf(['sec', 1], ['ops', 0]))).toEqual({
      code: 'INVALID_ARGUMENT',
      message: 'requirement.steps[1].minApprovals must be an integer >= 1, got 0',
    });
  });
});
