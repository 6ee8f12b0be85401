import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { Kafka, logLevel, Partitioners, type LogEntry } from 'kafkajs';
import { percentile } from './stats';

// The broker's own produce -> consume latency for one hop, measured with the client settings our
// services use, so that request-to-outcome latency in distributed mode can be read as a ratio to
// (floor x hops). A closed loop: each sender waits for its message to come back before the next.

/** One hop's latency through the broker: from just before `producer.send` to `eachMessage`. */
export interface KafkaFloor {
  method: string;
  messages: number;
  p50Ms: number;
  p99Ms: number;
  meanMs: number;
}

export interface KafkaFloorOptions {
  brokers: string[];
  /** Recorded messages (default 2000). */
  messages?: number;
  /** Senders in the closed loop (default 1). */
  concurrency?: number;
  log?: (line: string) => void;
  /** Unrecorded messages sent first through the same loop (default 200). */
  warmup?: number;
  /** The consumer's fetch long-poll (default 100 ms). */
  maxWaitTimeInMs?: number;
  /** The whole run, set-up and clean-up aside (default 120 s). */
  timeoutMs?: number;
}

const partitions = 6;
const valueBytes = 300;
const cleanupStepMs = 10_000;
const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

const kafkajsVersion = (): string => {
  try {
    return (JSON.parse(readFileSync(require.resolve('kafkajs/package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
};


const round = (ms: number): number => Number(ms.toFixed(3));

/** A bus-shaped JSON message (`{ type, data, metadata }`) padded to about `valueBytes`. */
function probeValue(probeId: string, sender: number, n: number): string {
  const message = { type: 'FloorProbed', data: { probeId, sender, n, padding: '' }, metadata: { messageId: probeId, traceparent } };
  message.data.padding = 'x'.repeat(Math.max(0, valueBytes - JSON.stringify(message).length));
  return JSON.stringify(message);
}

function positiveInteger(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a positive integer, got ${value}`);
  return value;
}

/** Resolves a promise after `ms`, or rejects with `what` when the step takes longer. */
async function within<T>(ms: number, what: string, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms} ms`)), ms)));
  try {
    return await Promise.race([work, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** Messages in flight, keyed by probe id, each waiting for the consumer to see it. */
class Arrivals {
  private readonly waiting = new Map<string, { resolve: (at: bigint) => void; reject: (error: Error) => void }>();
  readonly perPartition = new Array<number>(partitions).fill(0);
  received = 0;
  unexpected = 0;

  expect(probeId: string): Promise<bigint> {
    const arrival = new Promise<bigint>((resolve, reject) => this.waiting.set(probeId, { resolve, reject }));
    arrival.catch(() => undefined); // awaited later; an abort while the send is pending is not unhandled
    return arrival;
  }

  arrived(probeId: unknown, at: bigint, partition: number): void {
    const waiter = typeof probeId === 'string' ? this.waiting.get(probeId) : undefined;
    if (!waiter) {
      this.unexpected += 1;
      return;
    }
    this.waiting.delete(probeId as string);
    this.received += 1;
    this.perPartition[partition] = (this.perPartition[partition] ?? 0) + 1;
    waiter.resolve(at);
  }

  abort(error: Error): void {
    for (const waiter of this.waiting.values()) waiter.reject(error);
    this.waiting.clear();
  }
}

/**
 * Measures the broker's produce -> consume latency for one hop with our services' client settings:
 * an idempotent producer (one request in flight, `acks: -1`, no auto-created topics) and a consumer
 * in a fresh group, on a fresh 6-partition topic that is deleted afterwards.
 */
export async function measureKafkaFloor(options: KafkaFloorOptions): Promise<KafkaFloor> {
  const messages = positiveInteger('messages', options.messages ?? 2000);
  const concurrency = positiveInteger('concurrency', options.concurrency ?? 1);
  const warmup = options.warmup ?? 200;
  if (!Number.isInteger(warmup) || warmup < 0) throw new Error(`warmup must be a whole number, got ${warmup}`);
  // With minBytes 1 the broker answers a parked fetch as soon as a message is appended, so this
  // bounds only an idle poll; 100 ms keeps idle polls cheap without kafkajs's 5 s default.
  const maxWaitTimeInMs = positiveInteger('maxWaitTimeInMs', options.maxWaitTimeInMs ?? 100);
  const timeoutMs = positiveInteger('timeoutMs', options.timeoutMs ?? 120_000);
  const log = options.log ?? (() => undefined);
  if (options.brokers.length === 0) throw new Error('brokers must name at least one Kafka broker');

  const method =
    `kafkajs ${kafkajsVersion()} round trip, one hop: idempotent producer (maxInFlightRequests 1, acks -1) -> ` +
    `consumer in a fresh group (maxWaitTimeInMs ${maxWaitTimeInMs}, minBytes 1, ${partitions} partitions consumed ` +
    `concurrently); fresh topic, ${partitions} partitions, replication factor 1; ~${valueBytes} B JSON values, ` +
    `random keys; closed loop of ${concurrency} ` +
    `sender(s), ${warmup} warm-up then ${messages} recorded; send() to eachMessage, hrtime`;

  const kafka = new Kafka({
    clientId: 'approvals-bench-kafka-floor',
    brokers: options.brokers,
    connectionTimeout: 3000,
    logLevel: logLevel.WARN,
    logCreator:
      () =>
      ({ namespace, label, log: entry }: LogEntry) => {
        const error = entry['error'] ? ` (${String(entry['error'])})` : '';
        log(`[kafkajs ${label}] ${namespace ? `${namespace}: ` : ''}${entry.message}${error}`);
      },
  });
  const topic = `bench.kafka-floor.${randomUUID().slice(0, 8)}`;
  const groupId = `bench-kafka-floor-${randomUUID()}`;
  const admin = kafka.admin();
  // Naming kafkajs's default partitioner changes nothing but silences its v2 migration warning.
  const producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  // As the services' consumers (libs/nest-platform/src/kafka.server.ts), less their endless retries.
  const consumer = kafka.consumer({ groupId, maxWaitTimeInMs, allowAutoTopicCreation: false });
  const arrivals = new Arrivals();
  let stage = 'connecting';
  let adminConnected = false;
  let topicCreated = false;
  let consumerStarted = false;
  let stopped = false;

  let abort: (error: Error) => void = () => undefined;
  const aborted = new Promise<never>((_, reject) => (abort = reject));
  aborted.catch(() => undefined);
  const timer = setTimeout(
    () =>
      abort(
        new Error(
          `no result within ${timeoutMs / 1000} s (${arrivals.received} messages came back); ` +
            `is the broker up and does it answer group and admin requests?`,
        ),
      ),
    timeoutMs,
  );
  consumer.on(consumer.events.CRASH, ({ payload }) => {
    if (payload.restart) log(`[kafka-floor] consumer restarting after: ${payload.error.message}`);
    else abort(new Error(`the consumer crashed: ${payload.error.message}`));
  });

  async function loop(total: number, latencies: number[] | undefined, acks: number[] | undefined): Promise<void> {
    let issued = 0;
    const sender = async (id: number): Promise<void> => {
      while (issued < total && !stopped) {
        const n = issued++;
        const probeId = randomUUID();
        const value = probeValue(probeId, id, n);
        const arrival = arrivals.expect(probeId);
        const started = process.hrtime.bigint();
        await producer.send({ topic, acks: -1, messages: [{ key: probeId, value, headers: { traceparent } }] });
        const acked = process.hrtime.bigint();
        const received = await arrival;
        latencies?.push(Number(received - started) / 1e6);
        acks?.push(Number(acked - started) / 1e6);
      }
    };
    await Promise.all(Array.from({ length: concurrency }, (_, id) => sender(id)));
  }

  async function run(): Promise<KafkaFloor> {
    await admin.connect();
    adminConnected = true;
    stage = 'creating the topic';
    await admin.createTopics({ topics: [{ topic, numPartitions: partitions, replicationFactor: 1 }], waitForLeaders: true });
    topicCreated = true;

    stage = 'starting the consumer';
    // Sending before the consumer has its partitions and a fetch in flight would measure the join.
    const fetching = new Promise<void>((resolve) => {
      let joined = false;
      const offJoin = consumer.on(consumer.events.GROUP_JOIN, () => {
        joined = true;
        offJoin();
      });
      const offFetch = consumer.on(consumer.events.FETCH, () => {
        if (!joined) return;
        offFetch();
        resolve();
      });
    });
    consumerStarted = true;
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({
      autoCommit: true,
      autoCommitInterval: 250,
      partitionsConsumedConcurrently: partitions,
      eachMessage: async ({ message, partition }) => {
        const at = process.hrtime.bigint();
        const body = JSON.parse(message.value?.toString() ?? 'null') as { data?: { probeId?: unknown } } | null;
        arrivals.arrived(body?.data?.probeId, at, partition);
      },
    });
    await producer.connect();
    await fetching;

    stage = `warm-up (${warmup} messages)`;
    if (warmup > 0) await loop(warmup, undefined, undefined);

    stage = `measuring (${messages} messages)`;
    const latencies: number[] = [];
    const acks: number[] = [];
    await loop(messages, latencies, acks);
    latencies.sort((a, b) => a - b);
    acks.sort((a, b) => a - b);
    log(
      `[kafka-floor] concurrency ${concurrency}: send() acknowledged p50 ${round(percentile(acks, 50))} ms, ` +
        `p99 ${round(percentile(acks, 99))} ms; messages per partition ${arrivals.perPartition.join('/')}` +
        (arrivals.unexpected > 0 ? `; ${arrivals.unexpected} unexpected (duplicates?)` : ''),
    );
    return {
      method,
      messages: latencies.length,
      p50Ms: round(percentile(latencies, 50)),
      p99Ms: round(percentile(latencies, 99)),
      meanMs: round(latencies.reduce((sum, ms) => sum + ms, 0) / latencies.length),
    };
  }

  async function cleanUp(): Promise<void> {
    const steps: [string, () => Promise<unknown>, boolean][] = [
      ['disconnect the consumer', () => consumer.disconnect(), true],
      ['disconnect the producer', () => producer.disconnect(), true],
      [`delete topic ${topic}`, () => admin.deleteTopics({ topics: [topic], timeout: 5000 }), adminConnected && topicCreated],
      [`delete group ${groupId}`, () => admin.deleteGroups([groupId]), adminConnected && consumerStarted],
      ['disconnect the admin client', () => admin.disconnect(), true],
    ];
    for (const [what, step, needed] of steps) {
      if (!needed) continue;
      try {
        await within(cleanupStepMs, what, step());
      } catch (error) {
        log(`[kafka-floor] clean-up: could not ${what}: ${(error as Error).message}`);
      }
    }
  }

  const running = run();
  running.catch(() => undefined); // on abort it is abandoned; clean-up makes it fail quietly
  try {
    return await Promise.race([running, aborted]);
  } catch (error) {
    stopped = true;
    arrivals.abort(error as Error);
    throw new Error(`Kafka floor measurement failed while ${stage} (brokers ${options.brokers.join(',')}): ${(error as Error).message}`, {
      cause: error,
    });
  } finally {
    clearTimeout(timer);
    await cleanUp();
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      brokers: { type: 'string', default: process.env['KAFKA_BROKERS'] ?? '127.0.0.1:9092' },
      messages: { type: 'string', default: '2000' },
      warmup: { type: 'string', default: '200' },
      /** Comma-separated closed-loop sizes, each measured on its own fresh topic. */
      concurrency: { type: 'string', default: '1,16' },
      'max-wait': { type: 'string', default: '100' },
      /** Seconds allowed per concurrency level before giving up. */
      timeout: { type: 'string', default: '120' },
      json: { type: 'boolean', default: false },
    },
  });
  const brokers = values.brokers.split(',').map((b) => b.trim());
  const levels = values.concurrency.split(',').map((c) => Number(c.trim()));
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const rows: (KafkaFloor & { concurrency: number })[] = [];
  for (const concurrency of levels) {
    log(`[kafka-floor] measuring against ${brokers.join(',')} with ${concurrency} sender(s) ...`);
    const floor = await measureKafkaFloor({
      brokers,
      concurrency,
      messages: Number(values.messages),
      warmup: Number(values.warmup),
      maxWaitTimeInMs: Number(values['max-wait']),
      timeoutMs: Number(values.timeout) * 1000,
      log,
    });
    rows.push({ concurrency, ...floor });
  }
  if (values.json) {
    process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
    return;
  }
  process.stdout.write(
    [
      '# Kafka floor: one produce -> consume hop',
      '',
      ...[...new Set(rows.map((r) => r.method))].map((m) => `- ${m}`),
      '',
      '| senders | messages | p50 ms | p99 ms | mean ms |',
      '| --- | --- | --- | --- | --- |',
      ...rows.map((r) => `| ${r.concurrency} | ${r.messages} | ${r.p50Ms} | ${r.p99Ms} | ${r.meanMs} |`),
      '',
    ].join('\n'),
  );
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`[kafka-floor] failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
