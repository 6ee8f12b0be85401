import type { RequestActionResponse__Output } from '@approvals/contracts';
import { unary } from '@approvals/client';
import { EmbeddedServer } from '@approvals/testing';
import { actionRequest, awaitOutcome, clientAs, eventually } from './support';

jest.setTimeout(120_000);

const finalTypes = ['ActionApproved', 'ActionDenied', 'ActionExpired', 'ActionCancelled'];

// I6 in embedded mode: the process dies (SIGKILL) while requests are in flight. After a restart
// on the same data directory, every request the agent retries reaches exactly one outcome and no
// event is written twice.
describe('embedded mode: a crash in mid-flight', () => {
  it('loses nothing and duplicates nothing', async () => {
    let server = await EmbeddedServer.start();
    const dataDir = server.dataDir;
    let agent = clientAs(server.grpcAddress, 'agent-reporting');
    const requests = Array.from({ length: 60 }, (_, i) =>
      actionRequest(i % 4 === 0 ? { action: 'db.export', parametersJson: '{"rows":5000}' } : { action: 'db.read' }),
    );

    let replies = 0;
    const firstTry = await Promise.allSettled(
      requests.map((request) =>
        unary(agent.intake, 'RequestAction', request).then((reply) => {
          replies += 1;
          if (replies === 15) void server.kill();
          return reply;
        }),
      ),
    );
    agent.close();
    await server.kill();
    const acceptedBeforeCrash = new Map<number, RequestActionResponse__Output>();
    firstTry.forEach((result, index) => result.status === 'fulfilled' && acceptedBeforeCrash.set(index, result.value));
    expect(acceptedBeforeCrash.size).toBeGreaterThanOrEqual(15);

    server = await EmbeddedServer.start({ dataDir });
    agent = clientAs(server.grpcAddress, 'agent-reporting');
    const bob = clientAs(server.grpcAddress, 'bob');
    try {
      // The agent retries every request with its idempotency key: accepted ones come back unchanged.
      const ids: string[] = [];
      for (const [index, request] of requests.entries()) {
        const reply = await unary(agent.intake, 'RequestAction', request);
        const before = acceptedBeforeCrash.get(index);
        if (before) expect(reply).toMatchObject({ actionId: before.actionId, created: false });
        ids.push(reply.actionId);
      }

      for (const [index, actionId] of ids.entries()) {
        if (requests[index]!.action === 'db.export') {
          const pending = await eventually(
            () => awaitOutcome(agent, actionId, 200),
            (r) => r.action?.status === 'AWAITING_APPROVAL',
          );
          expect(pending.action?.status).toBe('AWAITING_APPROVAL');
          await unary(bob.decisions, 'CastVote', { actionId, decision: 'APPROVE' });
        }
        const outcome = await awaitOutcome(agent, actionId);
        expect(outcome.action?.status).toBe('APPROVED');
      }

      for (const actionId of ids) {
        const timeline = await eventually(
          () => unary(bob.audit, 'GetTimeline', { actionId }),
          (t) => t.entries.some((e) => e.type === 'ExecutionGrantIssued'),
        );
        const count = (type: string) => timeline.entries.filter((e) => e.type === type).length;
        expect({ actionId, requested: count('ActionRequested'), evaluated: count('PolicyEvaluated'), grants: count('ExecutionGrantIssued') }).toEqual({
          actionId,
          requested: 1,
          evaluated: 1,
          grants: 1,
        });
        expect(timeline.entries.filter((e) => finalTypes.includes(e.type))).toHaveLength(1);
        expect(count('ApprovalRequested')).toBeLessThanOrEqual(1);
        expect(count('ApprovalNotified')).toBeLessThanOrEqual(1);
        expect(timeline.entries.map((e) => e.revision)).toEqual(timeline.entries.map((_, i) => i));
      }
    } finally {
      agent.close();
      bob.close();
      await server.dispose();
    }
  });
});
