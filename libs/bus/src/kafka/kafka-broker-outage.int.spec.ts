import { randomUUID } from 'node:crypto';
import { BusUnavailableError } from '@approvals/application';
import { CommandHeaders, Commands, Topics } from '@approvals/contracts';
import { KafkaBroker } from '@approvals/testing';
import { Kafka, logLevel, type Consumer } from 'kafkajs';
import { KafkaNames } from './kafka-client';
import { KafkaCommandSender } from './kafka-command-sender';
import { KafkaHealth } from './kafka-health';
import { KafkaPublisher } from './kafka-publisher';
import { ensureTopics, plannedTopics } from './kafka-topics';

// A broker of the test's own (it is stopped and started), and seconds-long outages.
jest.setTimeout(180_000);

const commandTimeoutMs = 1500;
const command = (actionId: string) => ({ type: 'CastVote', data: { actionId }, metadata: { messageId: randomUUID() } });

/** Rejections nobody handled while `work` ran (Node would end a service on the first one). */
async function unhandledDuring(work: () => Promise<void>): Promise<unknown[]> {
  const seen: unknown[] = [];
  const record = (reason: unknown) => seen.push(reason);
  process.on('unhandledRejection', record);
  try {
    await work();
    // Rejections are reported after the microtask queue drains: give them a turn.
    await new Promise((resolve) => setTimeout(resolve, 50));
  } finally {
    process.off('unhandledRejection', record);
  }
  return seen;
}

async function until(check: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!check() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
  return check();
}

describe('commands over Kafka while the broker is away', () => {
  let broker: KafkaBroker;
  let kafka: Kafka;
  let publisher: KafkaPublisher;
  let health: KafkaHealth;
  let sender: KafkaCommandSender;
  let decision: Consumer;
  const names = new KafkaNames(`outage-${randomUUID().slice(0, 8)}`);
  const handled: string[] = [];

  beforeAll(async () => {
    broker = await KafkaBroker.create();
    broker.start();
    kafka = new Kafka({ clientId: 'approvals-test', brokers: [broker.brokers], logLevel: logLevel.NOTHING, connectionTimeout: 1000, retry: { retries: 3 } });
    const admin = kafka.admin();
    await admin.connect();
    await ensureTopics(admin, plannedTopics(names));
    await admin.disconnect();
    publisher = await KafkaPublisher.connect(kafka, names, { maxQueuedRecords: 5 });
    health = await KafkaHealth.start(kafka, { intervalMs: 200, timeoutMs: 500 });
    sender = await KafkaCommandSender.connect(kafka, publisher, { service: 'test', timeoutMs: commandTimeoutMs, health });
    // The decision service's part: answer every command on the reply topic its headers name.
    decision = kafka.consumer({ groupId: names.group('decision'), retry: { retries: Number.MAX_SAFE_INTEGER, restartOnFailure: async () => true } });
    await decision.connect();
    await decision.subscribe({ topics: [names.topic(Topics.decisionCommands)], fromBeginning: true });
    await decision.run({
      eachMessage: async ({ message }) => {
        const { data } = JSON.parse(message.value!.toString()) as { data: { actionId: string } };
        handled.push(data.actionId);
        const correlationId = message.headers![CommandHeaders.correlationId]!.toString();
        await publisher.sendToBrokerTopic(message.headers![CommandHeaders.replyTo]!.toString(), [
          { key: correlationId, value: JSON.stringify({ ok: true, actionId: data.actionId, status: 'AWAITING_APPROVAL' }), headers: { [CommandHeaders.correlationId]: correlationId } },
        ]);
      },
    });
  });

  afterAll(async () => {
    await decision?.disconnect();
    await sender?.close();
    await health?.stop();
    await publisher?.close();
    broker?.dispose();
  });

  it('answers each command BusUnavailableError within its time, leaves nothing unhandled or queued, and works again once the broker is back', async () => {
    // given commands that work while the broker is up
    expect(await sender.send(Commands.castVote, command('before'))).toMatchObject({ ok: true, actionId: 'before' });

    // when the broker goes away and commands are sent before anyone has noticed
    broker.stop();
    const answers: { error: unknown; ms: number }[] = [];
    const unhandled = await unhandledDuring(async () => {
      await Promise.all(
        ['during-1', 'during-2', 'during-3'].map(async (id) => {
          const started = Date.now();
          const error = await sender.send(Commands.castVote, command(id)).then(
            () => undefined,
            (e: unknown) => e,
          );
          answers.push({ error, ms: Date.now() - started });
        }),
      );
      // and after the health probe has noticed
      expect(await until(() => !health.reachable, 10_000)).toBe(true);
      const started = Date.now();
      const error = await sender.send(Commands.castVote, command('noticed')).catch((e: unknown) => e);
      answers.push({ error, ms: Date.now() - started });
      // and the outage lasts well past every command's time
      await new Promise((resolve) => setTimeout(resolve, 3 * commandTimeoutMs));
    });

    // then every command failed as retryable, within its time (with room for a busy machine: without
    // the deadline they would wait for the broker, minutes here)
    expect(answers).toHaveLength(4);
    for (const { error, ms } of answers) {
      expect(error).toBeInstanceOf(BusUnavailableError);
      expect(ms).toBeLessThan(3 * commandTimeoutMs);
    }
    expect(String((answers[3]!.error as Error).message)).toMatch(/broker is unreachable/);
    // nothing was left to reject unobserved, and the commands not yet sent were withdrawn, not kept
    expect(unhandled).toEqual([]);
    expect(publisher.waiting).toBe(0);

    // when the broker is back
    broker.start();
    expect(await until(() => health.reachable, 30_000)).toBe(true);

    // then commands work again, once the consumer groups have joined again (the caller retries meanwhile)
    let after: unknown;
    const deadline = Date.now() + 60_000;
    while (after === undefined && Date.now() < deadline) {
      after = await sender.send(Commands.castVote, command('after')).catch((error: unknown) => {
        if (!(error instanceof BusUnavailableError)) throw error;
        return undefined;
      });
    }
    expect(after).toMatchObject({ ok: true, actionId: 'after' });
    // and the withdrawn commands never reached the decision service (at most the one batch in flight did)
    expect(handled.filter((id) => id.startsWith('during-')).length).toBeLessThanOrEqual(1);
  });

  it('refuses at once what is published beyond its bound while the broker is away, and delivers what it kept', async () => {
    // given the broker away, and as many records waiting as the publisher keeps (one in flight, five queued)
    broker.stop();
    const kept = Array.from({ length: 6 }, (_, i) => publisher.send(Topics.deadLetters, [{ key: `k${i}`, value: '{}' }]));
    for (const promise of kept) promise.catch(() => undefined);
    expect(await until(() => publisher.waiting === 5, 5000)).toBe(true);

    // when one more record is published, it is refused at once as retryable
    await expect(publisher.send(Topics.deadLetters, [{ key: 'over', value: '{}' }])).rejects.toBeInstanceOf(BusUnavailableError);

    // and once the broker is back, every record it kept is delivered
    broker.start();
    await expect(Promise.all(kept)).resolves.toHaveLength(6);
    expect(publisher.waiting).toBe(0);
  });
});
