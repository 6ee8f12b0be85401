import { randomUUID } from 'node:crypto';
import type { TopicName } from '@approvals/contracts';
import { Kafka, logLevel, type EachMessagePayload } from 'kafkajs';
import { KafkaPublisher } from './kafka-publisher';
import { ensureTopics } from './kafka-topics';

// A fresh broker loads its coordinators on first use: the first calls can take seconds.
jest.setTimeout(60_000);

const brokers = process.env['KAFKA_BROKERS'];
if (!brokers) throw new Error('KAFKA_BROKERS is not set: run the tests with `npm test` / `npm run test:int`, which start the broker');

describe('KafkaPublisher on a real Kafka broker', () => {
  const kafka = new Kafka({ clientId: 'approvals-test', brokers: brokers.split(','), logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  let publisher: KafkaPublisher;
  beforeAll(async () => {
    await admin.connect();
    publisher = await KafkaPublisher.connect(kafka);
  });
  afterAll(async () => {
    await publisher.close();
    await admin.disconnect();
  });

  it('delivers JSON messages keyed by action id, in order per key, with the trace context in headers', async () => {
    const topic = `test-${randomUUID().slice(0, 8)}.events.v1` as TopicName;
    await ensureTopics(admin, [{ topic, numPartitions: 3 }]);
    const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

    // given 30 messages for three actions, interleaved
    for (let i = 0; i < 30; i += 1) {
      await publisher.publish(topic, `action-${i % 3}`, { type: 'T', data: { n: i }, metadata: { messageId: `m${i}`, traceparent } });
    }

    // when a consumer group reads the topic
    const received: { key: string; n: number; partition: number; traceparent: string | undefined }[] = [];
    const consumer = kafka.consumer({ groupId: `test-${randomUUID()}` });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    const done = new Promise<void>((resolve) => {
      void consumer.run({
        eachMessage: async ({ message, partition }: EachMessagePayload) => {
          const value = JSON.parse(message.value!.toString()) as { data: { n: number } };
          received.push({ key: message.key!.toString(), n: value.data.n, partition, traceparent: message.headers?.['traceparent']?.toString() });
          if (received.length === 30) resolve();
        },
      });
    });
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`only ${received.length} of 30 arrived`)), 30_000)));
    await Promise.race([done, timeout]).finally(() => clearTimeout(timer));
    await consumer.disconnect();

    // then each action's messages share one partition and keep their publish order per key
    for (const key of ['action-0', 'action-1', 'action-2']) {
      const mine = received.filter((r) => r.key === key);
      expect(new Set(mine.map((r) => r.partition)).size).toBe(1);
      const published = Array.from({ length: 30 }, (_, i) => i).filter((i) => `action-${i % 3}` === key);
      expect(mine.map((r) => r.n)).toEqual(published);
    }
    expect(received.every((r) => r.traceparent === traceparent)).toBe(true);
  });

  it('refuses a message JSON cannot carry, before anything reaches the broker', async () => {
    await expect(publisher.publish('approvals.ledger-events.v1', 'k', undefined)).rejects.toThrow(TypeError);
  });
});
