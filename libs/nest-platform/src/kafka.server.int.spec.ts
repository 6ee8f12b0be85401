import { randomUUID } from 'node:crypto';
import { Controller, Global, Inject, Module, UseFilters, type INestMicroservice } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { EventPattern, MessagePattern, Payload } from '@nestjs/microservices';
import { BusUnavailableError, StoreUnavailableError } from '@approvals/application';
import { Commands, Topics, deadLetterSchema, type DeadLetterMessage } from '@approvals/contracts';
import { KafkaCommandSender, KafkaNames, KafkaPublisher, createKafka, ensureTopics, plannedTopics } from '@approvals/bus';
import { createLogger } from '@approvals/telemetry';
import type { Consumer } from 'kafkajs';
import { BusExceptionFilter } from './bus-exception.filter';
import { KafkaServer } from './kafka.server';

// Against the real broker that `npm test` starts (deploy/kafka/kafka.sh) or KAFKA_BROKERS names.
jest.setTimeout(90_000);

const brokers = process.env['KAFKA_BROKERS'];
if (!brokers) throw new Error('KAFKA_BROKERS is not set: run the tests with `npm test` / `npm run test:int`, which start the broker');

interface Probe {
  onEvent: (message: { n: number }) => Promise<void> | void;
  castVote: (message: unknown) => Promise<unknown> | unknown;
}
const PROBE = Symbol('Probe');

@Global()
@Module({})
class ProbeModule {
  static with(probe: Probe) {
    return { module: ProbeModule, providers: [{ provide: PROBE, useValue: probe }], exports: [PROBE] };
  }
}

@Controller()
@UseFilters(BusExceptionFilter)
class Handlers {
  constructor(@Inject(PROBE) private readonly probe: Probe) {}

  @EventPattern(Topics.ledgerEvents)
  async onLedgerEvent(@Payload() message: { n: number }): Promise<void> {
    await this.probe.onEvent(message);
  }

  @MessagePattern(Commands.castVote)
  async castVote(@Payload() message: unknown): Promise<unknown> {
    return this.probe.castVote(message);
  }
}

const logger = createLogger('kafka-server-test', 'silent');
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

async function until(check: () => boolean, timeoutMs = 30_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

describe('KafkaServer on a real Kafka broker', () => {
  const kafka = createKafka({ brokers: brokers.split(','), clientId: 'kafka-server-test', logger });
  let names: KafkaNames;
  let publisher: KafkaPublisher;
  let app: INestMicroservice | undefined;
  let sender: KafkaCommandSender | undefined;
  let deadLetters: Consumer | undefined;
  let probe: Probe;

  beforeEach(async () => {
    names = new KafkaNames(`test-${randomUUID().slice(0, 8)}`);
    const admin = kafka.admin();
    await admin.connect();
    await ensureTopics(admin, plannedTopics(names));
    await admin.disconnect();
    publisher = await KafkaPublisher.connect(kafka, names);
    probe = { onEvent: () => undefined, castVote: () => ({ ok: true, actionId: 'act-1', status: 'AWAITING_APPROVAL' }) };
  });

  afterEach(async () => {
    await sender?.close();
    await app?.close();
    await deadLetters?.disconnect();
    await publisher.close();
    [sender, app, deadLetters] = [undefined, undefined, undefined];
  });

  async function startServer(): Promise<KafkaServer> {
    @Module({ imports: [ProbeModule.with(probe)], controllers: [Handlers] })
    class TestModule {}
    const server = new KafkaServer({ kafka, publisher, groupId: names.group('test'), fromBeginning: true, logger, maxAttempts: 3, retryDelayMs: 50 });
    app = await NestFactory.createMicroservice(TestModule, { strategy: server, logger: false });
    await app.listen();
    return server;
  }

  async function readDeadLetters(): Promise<DeadLetterMessage[]> {
    const letters: DeadLetterMessage[] = [];
    deadLetters = kafka.consumer({ groupId: `test-dlq-${randomUUID()}` });
    await deadLetters.connect();
    await deadLetters.subscribe({ topic: names.topic(Topics.deadLetters), fromBeginning: true });
    await deadLetters.run({ eachMessage: async ({ message }) => void letters.push(deadLetterSchema.parse(JSON.parse(message.value!.toString()))) });
    return letters;
  }

  it('retries a failing handler with backoff, then dead-letters the message and moves on to the next one of its partition', async () => {
    // given a handler that always fails on message 1
    const calls: { n: number; at: number }[] = [];
    probe.onEvent = ({ n }) => {
      calls.push({ n, at: Date.now() });
      if (n === 1) throw new Error('the notifier is broken for this one');
    };
    const server = await startServer();
    const letters = await readDeadLetters();

    // when messages 1 and 2 of one action are published
    await publisher.publish(Topics.ledgerEvents, 'act-1', { n: 1 });
    await publisher.publish(Topics.ledgerEvents, 'act-1', { n: 2 });
    await until(() => calls.some((c) => c.n === 2) && letters.length === 1, 30_000, 'message 2 and a dead letter');

    // then message 1 was tried 3 times with growing pauses, before message 2 was handled once
    expect(calls.map((c) => c.n)).toEqual([1, 1, 1, 2]);
    expect(calls[1]!.at - calls[0]!.at).toBeGreaterThanOrEqual(45);
    expect(calls[2]!.at - calls[1]!.at).toBeGreaterThanOrEqual(95);
    // and the dead letter says where it came from and why
    expect(letters[0]).toMatchObject({
      topic: Topics.ledgerEvents,
      key: 'act-1',
      group: names.group('test'),
      attempts: 3,
      error: 'the notifier is broken for this one',
      payload: '{"n":1}',
      payloadEncoding: 'utf8',
    });
    expect(server.deadLetters).toHaveLength(1);
  });

  it('waits for an unavailable store instead of dead-lettering, keeping the partition in order', async () => {
    // given a handler whose store is unreachable for its first 6 tries (twice the attempt budget)
    const calls: number[] = [];
    let outage = 6;
    probe.onEvent = ({ n }) => {
      calls.push(n);
      if (n === 1 && outage-- > 0) throw new StoreUnavailableError('postgres://db/approvals cannot be reached: connect ECONNREFUSED');
    };
    const server = await startServer();
    const letters = await readDeadLetters();

    // when messages 1 and 2 of one action are published
    await publisher.publish(Topics.ledgerEvents, 'act-1', { n: 1 });
    await publisher.publish(Topics.ledgerEvents, 'act-1', { n: 2 });
    await until(() => calls.includes(2), 30_000, 'message 2');
    await sleep(500);

    // then message 1 was tried until the store answered, before message 2, and nothing was dead-lettered
    expect(calls).toEqual([1, 1, 1, 1, 1, 1, 1, 2]);
    expect(letters).toEqual([]);
    expect(server.deadLetters).toEqual([]);
  });

  it('answers commands over the reply topic, and a command that keeps failing with an error reply', async () => {
    const seen: unknown[] = [];
    probe.castVote = (message) => {
      seen.push(message);
      if ((message as { data: { approverId: string } }).data.approverId === 'mallory') throw new Error('boom');
      return { ok: true, actionId: 'act-1', status: 'AWAITING_APPROVAL' };
    };
    await startServer();
    sender = await KafkaCommandSender.connect(kafka, publisher, { service: 'test', timeoutMs: 20_000 });
    const vote = (approverId: string) => ({ type: 'CastVote', data: { actionId: 'act-1', approverId, channel: 'api', decision: 'APPROVE' }, metadata: { messageId: randomUUID(), occurredAt: new Date().toISOString() } });

    await expect(sender.send(Commands.castVote, vote('alice'))).resolves.toEqual({ ok: true, actionId: 'act-1', status: 'AWAITING_APPROVAL' });
    const failed = await sender.send(Commands.castVote, vote('mallory'));
    expect(failed).toMatchObject({ ok: false, code: 'INTERNAL' });
    expect(seen).toHaveLength(1 + 3);
  });

  it('answers UNAVAILABLE when no reply comes in time', async () => {
    probe.castVote = async () => {
      await sleep(3000);
      return { ok: true, actionId: 'act-1', status: 'AWAITING_APPROVAL' };
    };
    await startServer();
    sender = await KafkaCommandSender.connect(kafka, publisher, { service: 'test', timeoutMs: 500 });
    const started = Date.now();
    await expect(
      sender.send(Commands.castVote, { type: 'CastVote', data: { actionId: 'act-1' }, metadata: { messageId: 'm', occurredAt: 'now' } }),
    ).rejects.toBeInstanceOf(BusUnavailableError);
    expect(Date.now() - started).toBeLessThan(2500);
  });

  it('sends an undecodable message straight to the dead letters, once', async () => {
    const calls: unknown[] = [];
    probe.onEvent = (message) => void calls.push(message);
    await startServer();
    const letters = await readDeadLetters();
    await publisher.send(Topics.ledgerEvents, [{ key: 'act-9', value: '{"n": oops' }]);
    await publisher.publish(Topics.ledgerEvents, 'act-9', { n: 3 });
    await until(() => calls.length === 1 && letters.length === 1, 30_000, 'the next message and a dead letter');
    expect(calls).toEqual([{ n: 3 }]);
    expect(letters[0]).toMatchObject({ attempts: 1, payload: '{"n": oops', payloadEncoding: 'utf8' });
    expect(letters[0]!.error).toMatch(/not JSON/);
  });
});
