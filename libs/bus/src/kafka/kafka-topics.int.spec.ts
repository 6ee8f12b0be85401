import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { KafkaNames } from './kafka-client';
import { ensureTopics, plannedTopics } from './kafka-topics';

// Against the real broker that `npm test` starts (deploy/kafka/kafka.sh) or KAFKA_BROKERS names.
// A fresh broker loads its coordinators on first use: the first calls can take seconds.
jest.setTimeout(60_000);

const brokers = process.env['KAFKA_BROKERS'];
if (!brokers) throw new Error('KAFKA_BROKERS is not set: run the tests with `npm test` / `npm run test:int`, which start the broker');

describe('ensureTopics on a real Kafka broker', () => {
  const kafka = new Kafka({ clientId: 'approvals-test', brokers: brokers.split(','), logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  beforeAll(() => admin.connect());
  afterAll(() => admin.disconnect());

  it('creates the missing topics with their planned partitions, and is idempotent', async () => {
    const run = randomUUID().slice(0, 8);
    const plan = [
      { topic: `test-${run}.a.v1`, numPartitions: 3 },
      { topic: `test-${run}.b.v1`, numPartitions: 1 },
    ];
    expect(await ensureTopics(admin, plan)).toEqual(plan.map((t) => t.topic));
    expect(await ensureTopics(admin, plan)).toEqual([]);
    const metadata = await admin.fetchTopicMetadata({ topics: plan.map((t) => t.topic) });
    expect(Object.fromEntries(metadata.topics.map((t) => [t.name, t.partitions.length]))).toEqual({
      [`test-${run}.a.v1`]: 3,
      [`test-${run}.b.v1`]: 1,
    });
  });

  it('refuses a topic that has fewer partitions than planned', async () => {
    const topic = `test-${randomUUID().slice(0, 8)}.small.v1`;
    await ensureTopics(admin, [{ topic, numPartitions: 1 }]);
    await expect(ensureTopics(admin, [{ topic, numPartitions: 4 }])).rejects.toThrow(`topic ${topic} has 1 partitions, 4 are planned`);
  });

  it('plans every topic of the contracts table, under the namespace when one is set', () => {
    const all = [
      'approvals.command-replies.v1',
      'approvals.dead-letters.v1',
      'approvals.decision.commands.v1',
      'approvals.ledger-events.v1',
      'approvals.policy-evaluations.v1',
    ];
    expect(plannedTopics().map((t) => t.topic).sort()).toEqual(all);
    expect(plannedTopics(new KafkaNames('staging')).map((t) => t.topic).sort()).toEqual(all.map((t) => `staging.${t}`));
  });
});
