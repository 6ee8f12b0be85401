import { randomUUID } from 'node:crypto';
import type { TopicName } from '@approvals/contracts';
import { InMemoryTelemetry } from '@approvals/testing';
import { Kafka, logLevel } from 'kafkajs';
import { KafkaPublisher } from './kafka-publisher';
import { ensureTopics } from './kafka-topics';

jest.setTimeout(60_000);

const brokers = process.env['KAFKA_BROKERS'];
if (!brokers) throw new Error('KAFKA_BROKERS is not set: run the tests with `npm test` / `npm run test:int`, which start the broker');

// The publisher sends whatever is queued as one batch: each message must still travel in its own
// trace, with a PRODUCER span of that trace in its headers.
describe('KafkaPublisher with tracing, on a real Kafka broker', () => {
  const kafka = new Kafka({ clientId: 'approvals-test', brokers: brokers.split(','), logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  let publisher: KafkaPublisher;
  let telemetry: InMemoryTelemetry;
  beforeAll(async () => {
    telemetry = InMemoryTelemetry.register();
    await admin.connect();
    publisher = await KafkaPublisher.connect(kafka);
  });
  afterAll(async () => {
    await publisher.close();
    await admin.disconnect();
    await telemetry.shutdown();
  });

  it('gives every message of a batch a producer span in the trace it carries', async () => {
    const topic = `test-${randomUUID().slice(0, 8)}.events.v1` as TopicName;
    await ensureTopics(admin, [{ topic, numPartitions: 1 }]);
    const traces = Array.from({ length: 20 }, (_, i) => `${String(i).padStart(2, '0')}${'ab'.repeat(15)}`);
    // Published at once: all but the first wait for the request in flight and go out together.
    await Promise.all(
      traces.map((traceId, i) => publisher.publish(topic, `action-${i}`, { type: 'T', data: { i }, metadata: { messageId: `m${i}`, traceparent: `00-${traceId}-00f067aa0ba902b7-01` } })),
    );

    const headers = new Map<number, string>();
    const consumer = kafka.consumer({ groupId: `test-${randomUUID()}` });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`only ${headers.size} of 20 arrived`)), 30_000);
      void consumer.run({
        eachMessage: async ({ message }) => {
          headers.set((JSON.parse(message.value!.toString()) as { data: { i: number } }).data.i, message.headers!['traceparent']!.toString());
          if (headers.size < traces.length) return;
          clearTimeout(timer);
          resolve();
        },
      });
    });
    await consumer.disconnect();

    const producers = telemetry.spans.filter((span) => span.name === `send ${topic}`);
    expect(producers).toHaveLength(traces.length);
    traces.forEach((traceId, i) => {
      const span = producers.find((candidate) => candidate.spanContext().traceId === traceId)!;
      expect(span.parentSpanContext?.spanId).toBe('00f067aa0ba902b7');
      expect(span.attributes).toMatchObject({ 'messaging.system': 'kafka', 'messaging.destination.name': topic, 'messaging.kafka.message.key': `action-${i}` });
      expect(headers.get(i)).toBe(`00-${traceId}-${span.spanContext().spanId}-01`);
    });
  });
});
