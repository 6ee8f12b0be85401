import { randomUUID } from 'node:crypto';
import type { CheckpointStore, EventStore, MessagePublisher, RecordedEvent } from '@approvals/application';
import { OutboxRelay, outboxCheckpointName } from '@approvals/application';
import type { LedgerEventMessage, TopicName } from '@approvals/contracts';
import { ledgerEventMessageSchema, Topics } from '@approvals/contracts';
import { toActionStreamId } from '@approvals/domain';
import { openSqliteLedger, type SqliteLedger } from '@approvals/ledger-sqlite';

/** One call of `publish`, which the test acknowledges or fails when it wants. */
interface Publication {
  topic: TopicName;
  key: string;
  message: LedgerEventMessage;
  state: 'pending' | 'acknowledged' | 'failed';
  ack(): void;
  fail(error: Error): void;
}

/** A bus double whose acknowledgements the test controls; by default it acknowledges at once. */
class ControlledPublisher implements MessagePublisher {
  readonly publications: Publication[] = [];

  constructor(private readonly onPublish: (publication: Publication) => void = (publication) => publication.ack()) {}

  publish(topic: TopicName, key: string, message: unknown): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const publication: Publication = {
        topic,
        key,
        message: message as LedgerEventMessage,
        state: 'pending',
        ack: () => {
          publication.state = 'acknowledged';
          resolve();
        },
        fail: (error) => {
          publication.state = 'failed';
          reject(error);
        },
      };
      this.publications.push(publication);
      this.onPublish(publication);
    });
  }

  eventIds(state?: Publication['state']): string[] {
    return this.publications.filter((p) => state === undefined || p.state === state).map((p) => p.message.metadata.eventId);
  }
}

/** The real checkpoint store, noting every save together with what the test had acknowledged by then. */
class RecordingCheckpoints implements CheckpointStore {
  readonly saves: { position: bigint; acknowledgedPrefix: bigint | undefined }[] = [];

  constructor(
    private readonly inner: CheckpointStore,
    private readonly acknowledgedPrefix: () => bigint | undefined = () => undefined,
  ) {}

  load(name: string): Promise<bigint | undefined> {
    return this.inner.load(name);
  }

  save(name: string, position: bigint): Promise<void> {
    this.saves.push({ position, acknowledgedPrefix: this.acknowledgedPrefix() });
    return this.inner.save(name, position);
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

async function waitFor(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(1);
  }
}

async function append(store: EventStore, actionId: string, ...types: string[]): Promise<void> {
  await store.appendToStream(
    toActionStreamId(actionId),
    types.map((type) => ({ eventId: randomUUID(), type, data: { actionId, type }, metadata: { actionId } })),
  );
}

const actionEvents = async (store: EventStore): Promise<RecordedEvent[]> =>
  (await store.readAll()).filter((event) => event.streamId.startsWith('action-'));

/** Small timings: a failed publish restarts after 10 ms, checkpoints are written every 2 ms. */
const retryDelayMs = 10;
const checkpointEveryMs = 2;

describe('OutboxRelay over the embedded ledger', () => {
  let ledger: SqliteLedger;
  let relays: OutboxRelay[];
  let errors: unknown[];

  const relayWith = (publisher: MessagePublisher, checkpoints: CheckpointStore = ledger.checkpoints, maxInFlight = 4) => {
    const relay = new OutboxRelay(ledger.events, checkpoints, publisher, (error) => errors.push(error), maxInFlight, retryDelayMs, checkpointEveryMs);
    relays.push(relay);
    return relay;
  };

  beforeEach(() => {
    ledger = openSqliteLedger({ file: ':memory:' });
    relays = [];
    errors = [];
  });

  afterEach(async () => {
    for (const relay of relays) await relay.stop();
    await ledger.close();
  });

  it('publishes every event of the action streams once, in ledger order, keyed by action id, as a LedgerEventMessage', async () => {
    // given events before the relay starts, including a stream that is not an action's
    await append(ledger.events, 'a', 'ActionRequested', 'PolicyEvaluated');
    await ledger.events.appendToStream('projector-internal', [{ eventId: randomUUID(), type: 'Noise', data: {}, metadata: {} }]);
    await ledger.events.appendToStream(toActionStreamId('b'), [
      {
        eventId: randomUUID(),
        type: 'ActionRequested',
        data: { actionId: 'b' },
        metadata: {
          actionId: 'b',
          correlationId: 'corr-1',
          causationId: 'cause-1',
          traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
          tracestate: 'vendor=1',
        },
      },
    ]);
    const publisher = new ControlledPublisher();
    const relay = relayWith(publisher);

    // when it runs while more events arrive
    await relay.start();
    await append(ledger.events, 'a', 'ApprovalRequested');
    await append(ledger.events, 'c', 'ActionRequested');
    await append(ledger.events, 'b', 'PolicyEvaluated', 'ActionApproved');
    const expected = await actionEvents(ledger.events);
    await waitFor(() => publisher.publications.length >= expected.length, 'every event to be published');
    await relay.stop();

    // then each action event was published exactly once, in ledger order, and nothing else
    expect(expected).toHaveLength(7);
    expect(publisher.eventIds()).toEqual(expected.map((event) => event.eventId));
    expect(publisher.publications.map((p) => [p.topic, p.key])).toEqual(
      expected.map((event) => [Topics.ledgerEvents, event.streamId.slice('action-'.length)]),
    );
    // every message is exactly the contract's shape (the schema would strip any extra field)
    for (const { message } of publisher.publications) expect(ledgerEventMessageSchema.parse(message)).toEqual(message);
    const withTrace = expected.find((event) => event.metadata.correlationId === 'corr-1')!;
    expect(publisher.publications.find((p) => p.message.metadata.eventId === withTrace.eventId)!.message).toEqual({
      type: 'ActionRequested',
      data: { actionId: 'b' },
      metadata: {
        messageId: withTrace.eventId,
        eventId: withTrace.eventId,
        streamId: 'action-b',
        revision: 0,
        position: withTrace.position.toString(),
        occurredAt: withTrace.metadata.occurredAt,
        correlationId: 'corr-1',
        causationId: 'cause-1',
        traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
        tracestate: 'vendor=1',
      },
    });
    await expect(ledger.checkpoints.load(outboxCheckpointName)).resolves.toBe(expected.at(-1)!.position);
    expect(errors).toEqual([]);
  });

  it('moves the checkpoint only over a contiguous prefix of acknowledged events when acknowledgements arrive out of order', async () => {
    // given five events and a bus that acknowledges only when the test says so
    await append(ledger.events, 'a', 'ActionRequested', 'PolicyEvaluated', 'ApprovalRequested');
    await append(ledger.events, 'b', 'ActionRequested', 'PolicyEvaluated');
    const positions = (await actionEvents(ledger.events)).map((event) => event.position);
    const publisher = new ControlledPublisher(() => undefined);
    const acknowledgedPrefix = () => {
      const states = publisher.publications.map((p) => p.state);
      const firstOpen = states.findIndex((state) => state !== 'acknowledged');
      const prefixLength = firstOpen === -1 ? states.length : firstOpen;
      return prefixLength === 0 ? undefined : positions[prefixLength - 1];
    };
    const checkpoints = new RecordingCheckpoints(ledger.checkpoints, acknowledgedPrefix);
    const relay = relayWith(publisher, checkpoints, 10);
    await relay.start();
    await waitFor(() => publisher.publications.length === 5, 'all five to be in flight');

    // when the 2nd, 3rd and 5th are acknowledged but not the 1st, for many checkpoint periods
    for (const index of [4, 1, 2]) publisher.publications[index]!.ack();
    await sleep(checkpointEveryMs * 10);

    // then no checkpoint is written
    expect(checkpoints.saves).toEqual([]);
    await expect(ledger.checkpoints.load(outboxCheckpointName)).resolves.toBeUndefined();

    // when the 1st is acknowledged: the checkpoint covers 1-3, not the 5th
    publisher.publications[0]!.ack();
    await waitFor(async () => (await ledger.checkpoints.load(outboxCheckpointName)) === positions[2], 'the checkpoint to reach the 3rd event');
    await sleep(checkpointEveryMs * 5);
    await expect(ledger.checkpoints.load(outboxCheckpointName)).resolves.toBe(positions[2]);

    // when stopping, with the 4th acknowledged while stop() waits for it
    const stopped = relay.stop();
    publisher.publications[3]!.ack();
    await stopped;

    // then the final checkpoint covers all five, and no save ever went past what was acknowledged
    await expect(ledger.checkpoints.load(outboxCheckpointName)).resolves.toBe(positions[4]);
    expect(checkpoints.saves.length).toBeGreaterThan(0);
    for (const save of checkpoints.saves) expect(save.position).toBeLessThanOrEqual(save.acknowledgedPrefix!);
    expect(publisher.publications).toHaveLength(5);
    expect(errors).toEqual([]);
  });

  it('keeps at most maxInFlight publishes unacknowledged', async () => {
    // given five events, a bus that acknowledges only when told, and maxInFlight = 2
    await append(ledger.events, 'a', 'ActionRequested', 'PolicyEvaluated', 'ApprovalRequested', 'ActionApproved', 'ExecutionGrantIssued');
    const publisher = new ControlledPublisher(() => undefined);
    const relay = relayWith(publisher, ledger.checkpoints, 2);

    // when it starts
    await relay.start();
    await waitFor(() => publisher.publications.length === 2, 'two publishes');
    await sleep(5);

    // then it waits for an acknowledgement before each further publish
    expect(publisher.publications).toHaveLength(2);
    publisher.publications[1]!.ack();
    await waitFor(() => publisher.publications.length === 3, 'a third publish');
    await sleep(5);
    expect(publisher.publications).toHaveLength(3);
    for (let next = 0; next < 5; next += 1) {
      await waitFor(() => publisher.publications.length > next, `publish ${next + 1}`);
      publisher.publications[next]!.ack();
    }
    await relay.stop();
    expect(publisher.publications).toHaveLength(5);
  });

  it('after a failed publish, reports it and republishes from the last checkpoint: nothing lost, nothing checkpointed repeated', async () => {
    // given six events, and a bus that fails the 4th event once, after the checkpoint covers the first three
    await append(ledger.events, 'a', 'ActionRequested', 'PolicyEvaluated', 'ApprovalRequested');
    await append(ledger.events, 'b', 'ActionRequested', 'PolicyEvaluated', 'ActionApproved');
    const events = await actionEvents(ledger.events);
    const ids = events.map((event) => event.eventId);
    const outage = new Error('broker unavailable');
    let failed = false;
    let checkpointAtFailure: bigint | undefined;
    const publisher = new ControlledPublisher((publication) => {
      if (publication.message.metadata.eventId !== ids[3] || failed) return publication.ack();
      failed = true;
      void waitFor(async () => (await ledger.checkpoints.load(outboxCheckpointName)) === events[2]!.position, 'checkpoint of the 3rd').then(
        async () => {
          checkpointAtFailure = await ledger.checkpoints.load(outboxCheckpointName);
          publication.fail(outage);
        },
      );
    });
    const relay = relayWith(publisher, ledger.checkpoints, 1);

    // when it runs until every event has been acknowledged
    await relay.start();
    await waitFor(() => new Set(publisher.eventIds('acknowledged')).size === ids.length, 'every event to be acknowledged');
    await relay.stop();

    // then the failure was reported, and the relay resumed right after the checkpoint, in ledger order
    expect(errors).toEqual([outage]);
    expect(checkpointAtFailure).toBe(events[2]!.position);
    const count = (id: string) => publisher.eventIds().filter((published) => published === id).length;
    expect(ids.slice(0, 3).map(count)).toEqual([1, 1, 1]);
    expect(count(ids[3]!)).toBe(2);
    const afterFailure = publisher.eventIds().slice(publisher.eventIds().lastIndexOf(ids[3]!));
    expect(afterFailure).toEqual(ids.slice(3));
    await expect(ledger.checkpoints.load(outboxCheckpointName)).resolves.toBe(events[5]!.position);
  });

  it('after a failed publish, keeps trying to start again while its checkpoint cannot be read, then publishes everything', async () => {
    // given three events, a bus that fails the 2nd once, and a checkpoint store that is unreachable twice after that
    await append(ledger.events, 'a', 'ActionRequested', 'PolicyEvaluated', 'ApprovalRequested');
    const ids = (await actionEvents(ledger.events)).map((event) => event.eventId);
    let failedOnce = false;
    const publisher = new ControlledPublisher((publication) => {
      if (publication.message.metadata.eventId !== ids[1] || failedOnce) return publication.ack();
      failedOnce = true;
      publication.fail(new Error('broker unavailable'));
    });
    let loads = 0;
    const unreachable = new Error('the store is unreachable');
    const checkpoints: CheckpointStore = {
      load: (name) => {
        loads += 1;
        return loads === 2 || loads === 3 ? Promise.reject(unreachable) : ledger.checkpoints.load(name);
      },
      save: (name, position) => ledger.checkpoints.save(name, position),
    };
    const relay = relayWith(publisher, checkpoints);

    // when it runs
    await relay.start();

    // then after the failed loads it is started again, and every event is acknowledged
    await waitFor(() => ids.every((id) => publisher.eventIds('acknowledged').includes(id)), 'every event published', 5000);
    expect(loads).toBeGreaterThanOrEqual(4);
    expect(errors.filter((error) => error === unreachable)).toHaveLength(2);
  });

  it('stops within its bound while a publish never ends (the bus is away), keeping only what was acknowledged', async () => {
    // given two events, the first acknowledged and the second never (a broker that is down)
    await append(ledger.events, 'a', 'ActionRequested', 'PolicyEvaluated');
    const [first] = await actionEvents(ledger.events);
    const publisher = new ControlledPublisher((publication) => {
      if (publication.message.metadata.eventId === first!.eventId) publication.ack();
    });
    const relay = new OutboxRelay(ledger.events, ledger.checkpoints, publisher, (error) => errors.push(error), 4, retryDelayMs, checkpointEveryMs, 50);
    await relay.start();
    await waitFor(() => publisher.publications.length === 2, 'both publishes');

    // when it is stopped, then it stops, with the checkpoint at the acknowledged event
    await relay.stop();
    expect(await ledger.checkpoints.load(outboxCheckpointName)).toBe(first!.position);
  });

  it('restarts once when several in-flight publishes fail together, so no event is published twice afterwards', async () => {
    // given eight events and a bus that fails the first four in-flight publishes together (an outage)
    await append(ledger.events, 'a', 'ActionRequested', 'PolicyEvaluated', 'ApprovalRequested', 'ActionApproved');
    await append(ledger.events, 'b', 'ActionRequested', 'PolicyEvaluated', 'ApprovalRequested', 'ActionDenied');
    const ids = (await actionEvents(ledger.events)).map((event) => event.eventId);
    const outage = new Error('broker unavailable');
    let down = true;
    const publisher = new ControlledPublisher((publication) => {
      if (!down) return publication.ack();
      const held = publisher.publications.filter((p) => p.state === 'pending');
      if (held.length < 4) return;
      down = false;
      for (const p of held) p.fail(outage);
    });
    const relay = relayWith(publisher, ledger.checkpoints, 4);

    // when it runs until every event has been acknowledged, then stops, and one more event is appended
    await relay.start();
    await waitFor(() => new Set(publisher.eventIds('acknowledged')).size === ids.length, 'every event to be acknowledged');
    await sleep(retryDelayMs * 5);
    await relay.stop();
    const publishedBeforeAppend = publisher.publications.length;
    await append(ledger.events, 'c', 'ActionRequested');
    await sleep(retryDelayMs * 2);

    // then every failure was reported, each event was acknowledged exactly once, and nothing runs after stop()
    expect(errors).toEqual([outage, outage, outage, outage]);
    expect(publisher.eventIds('failed')).toEqual(ids.slice(0, 4));
    expect(publisher.eventIds('acknowledged')).toEqual(ids);
    expect(publisher.publications).toHaveLength(publishedBeforeAppend);
  });

  it('leaves one subscription running when stop() and start() are called while a restart is pending', async () => {
    // given a relay whose first publish failed, so that it waits to restart
    await append(ledger.events, 'a', 'ActionRequested', 'PolicyEvaluated');
    const ids = (await actionEvents(ledger.events)).map((event) => event.eventId);
    let failed = false;
    const publisher = new ControlledPublisher((publication) => {
      if (failed) return publication.ack();
      failed = true;
      publication.fail(new Error('broker unavailable'));
    });
    const relay = relayWith(publisher);
    await relay.start();
    await waitFor(() => errors.length === 1, 'the failure');

    // when it is stopped and started again before its own restart is due
    await relay.stop();
    await relay.start();
    await waitFor(() => new Set(publisher.eventIds('acknowledged')).size === ids.length, 'every event to be acknowledged');
    await sleep(retryDelayMs * 3);
    await relay.stop();
    const publishedBeforeAppend = publisher.publications.length;
    await append(ledger.events, 'b', 'ActionRequested');
    await sleep(retryDelayMs * 2);

    // then each event was acknowledged once, and stop() stopped everything
    expect(publisher.eventIds('acknowledged')).toEqual(ids);
    expect(publisher.publications).toHaveLength(publishedBeforeAppend);
  });

  it('resumes after its checkpoint on start() after stop(), publishing what was appended while stopped, and nothing twice', async () => {
    // given a relay that published three events and was stopped
    await append(ledger.events, 'a', 'ActionRequested', 'PolicyEvaluated', 'ApprovalRequested');
    const publisher = new ControlledPublisher();
    const relay = relayWith(publisher);
    await relay.start();
    await waitFor(() => publisher.publications.length === 3, 'the first three events');
    await relay.stop();
    const firstThree = await actionEvents(ledger.events);
    await expect(ledger.checkpoints.load(outboxCheckpointName)).resolves.toBe(firstThree[2]!.position);

    // when events are appended while it is stopped
    await append(ledger.events, 'a', 'ActionApproved');
    await append(ledger.events, 'b', 'ActionRequested');
    await sleep(5);
    expect(publisher.publications).toHaveLength(3);

    // and it starts again (the same instance; a new one over the same checkpoint behaves the same)
    await relay.start();
    await append(ledger.events, 'b', 'PolicyEvaluated');
    const all = await actionEvents(ledger.events);
    await waitFor(() => publisher.publications.length >= all.length, 'the events appended while stopped');
    await relay.stop();

    // then it published exactly the missing ones, in order
    expect(publisher.eventIds()).toEqual(all.map((event) => event.eventId));
    await expect(ledger.checkpoints.load(outboxCheckpointName)).resolves.toBe(all.at(-1)!.position);

    // and a fresh relay over the same checkpoint publishes nothing again
    const fresh = new ControlledPublisher();
    await relayWith(fresh).start();
    await sleep(5);
    expect(fresh.publications).toEqual([]);
    expect(errors).toEqual([]);
  });

  it('redelivers an action event on request, outside the checkpointed flow', async () => {
    // given a relay that already published an action's events
    await append(ledger.events, 'a', 'ActionRequested', 'PolicyEvaluated');
    const publisher = new ControlledPublisher();
    const relay = relayWith(publisher);
    await relay.start();
    await waitFor(() => publisher.publications.length === 2, 'the first publications');
    await relay.stop();
    const checkpoint = await ledger.checkpoints.load(outboxCheckpointName);

    // when the ActionRequested is redelivered, and an event type the stream does not have
    const found = await relay.redeliver('a', 'ActionRequested');
    const missing = await relay.redeliver('a', 'ApprovalRequested');

    // then exactly that event is published again, keyed by the action, and the checkpoint is untouched
    expect([found, missing]).toEqual([true, false]);
    expect(publisher.publications.map((p) => [p.key, p.message.type])).toEqual([
      ['a', 'ActionRequested'],
      ['a', 'PolicyEvaluated'],
      ['a', 'ActionRequested'],
    ]);
    expect(await ledger.checkpoints.load(outboxCheckpointName)).toBe(checkpoint);
  });
});

