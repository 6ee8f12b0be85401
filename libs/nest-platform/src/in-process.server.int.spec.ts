import { Controller, Global, Inject, Module, type INestMicroservice, type LoggerService } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { EventPattern, MessagePattern, Payload } from '@nestjs/microservices';
import { Commands, Topics, type CommandReply } from '@approvals/contracts';
import { InProcessBroker } from '@approvals/bus';
import { map, timer } from 'rxjs';
import { InProcessServer } from './in-process.server';

/** What the test lets each handler do; set per test. */
interface Probe {
  audit: (message: unknown) => Promise<void> | void;
  notify: (message: unknown) => Promise<void> | void;
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
class AuditConsumer {
  constructor(@Inject(PROBE) private readonly probe: Probe) {}

  @EventPattern(Topics.ledgerEvents)
  async onLedgerEvent(@Payload() message: unknown): Promise<void> {
    await this.probe.audit(message);
  }
}

@Module({ controllers: [AuditConsumer] })
class AuditModule {}

@Controller()
class NotifierConsumer {
  constructor(@Inject(PROBE) private readonly probe: Probe) {}

  @EventPattern(Topics.ledgerEvents)
  async onLedgerEvent(@Payload() message: unknown): Promise<void> {
    await this.probe.notify(message);
  }
}

@Module({ controllers: [NotifierConsumer] })
class NotifierModule {}

@Controller()
class DecisionCommands {
  constructor(@Inject(PROBE) private readonly probe: Probe) {}

  @MessagePattern(Commands.castVote)
  async castVote(@Payload() message: unknown): Promise<unknown> {
    return this.probe.castVote(message);
  }
}

@Module({ controllers: [DecisionCommands] })
class DecisionModule {}

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Lets every pending callback run, without waiting for real time. */
const settle = async (rounds = 5) => {
  for (let i = 0; i < rounds; i += 1) await new Promise<void>((resolve) => setImmediate(resolve));
};

function isSettled(promise: Promise<unknown>): () => boolean {
  let settled = false;
  promise.then(
    () => (settled = true),
    () => (settled = true),
  );
  return () => settled;
}

const message = { type: 'ActionRequested', data: { actionId: 'act-1' }, metadata: { messageId: 'm-1' } };

describe('InProcessServer as a NestJS transport', () => {
  let app: INestMicroservice | undefined;
  let broker: InProcessBroker;
  let busErrors: { error: unknown; attempt: number }[];
  let probe: Probe;
  let loggedErrors: unknown[];
  const logger: LoggerService = {
    log: () => undefined,
    warn: () => undefined,
    error: (error: unknown) => void loggedErrors.push(error),
  };

  /** A real Nest microservice: two modules subscribe to the same topic, a third serves a command. */
  async function startApp(): Promise<void> {
    @Module({ imports: [ProbeModule.with(probe), AuditModule, NotifierModule, DecisionModule] })
    class TestAppModule {}
    app = await NestFactory.createMicroservice(TestAppModule, { strategy: new InProcessServer(broker), logger });
    await app.listen();
  }

  beforeEach(() => {
    busErrors = [];
    loggedErrors = [];
    broker = new InProcessBroker({ maxAttempts: 3, retryDelayMs: 1, onError: (error, { attempt }) => busErrors.push({ error, attempt }) });
    probe = {
      audit: () => undefined,
      notify: () => undefined,
      castVote: () => ({ ok: true, actionId: 'act-1', status: 'PENDING' }),
    };
  });

  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  it('resolves publish() only after both modules subscribed to the topic have handled the message', async () => {
    // given two subscribers that each wait for their own gate
    const auditGate = deferred();
    const notifyGate = deferred();
    const received: [string, unknown][] = [];
    probe.audit = async (m) => {
      received.push(['audit', m]);
      await auditGate.promise;
    };
    probe.notify = async (m) => {
      received.push(['notify', m]);
      await notifyGate.promise;
    };
    await startApp();

    // when a message is published
    const published = broker.publish(Topics.ledgerEvents, 'act-1', message);
    const isPublished = isSettled(published);
    await settle();

    // then both got it, and publish() waits for the slower of the two, whichever it is
    expect(received).toEqual([
      ['audit', message],
      ['notify', message],
    ]);
    notifyGate.resolve();
    await settle();
    expect(isPublished()).toBe(false);
    auditGate.resolve();
    await expect(published).resolves.toBeUndefined();
    expect(busErrors).toEqual([]);
  });

  it('makes the broker retry when a handler throws, redelivering to every subscriber of the topic', async () => {
    // given an audit handler that fails once
    const audited: unknown[] = [];
    const notified: unknown[] = [];
    probe.audit = (m) => {
      audited.push(m);
      if (audited.length === 1) throw new Error('read model busy');
    };
    probe.notify = (m) => void notified.push(m);
    await startApp();

    // when a message is published
    await broker.publish(Topics.ledgerEvents, 'act-1', message);

    // then the failure reached the broker, which delivered the message again (at least once: notify saw it twice)
    expect(busErrors.map(({ attempt }) => attempt)).toEqual([1]);
    expect(audited).toEqual([message, message]);
    expect(notified).toEqual([message, message]);
    expect(broker.deadLetters).toEqual([]);
  });

  it('waits for every subscriber before retrying, so no subscriber ever handles two messages of a partition at once', async () => {
    // given an audit handler that fails on the first message, and a notifier held by a gate that notes overlapping calls
    let notifying = 0;
    const overlaps: unknown[] = [];
    const notifyGate = deferred();
    const notified: unknown[] = [];
    let audits = 0;
    probe.audit = () => {
      audits += 1;
      if (audits === 1) throw new Error('read model busy');
    };
    probe.notify = async (m) => {
      if (notifying > 0) overlaps.push(m);
      notifying += 1;
      await notifyGate.promise;
      notified.push(m);
      notifying -= 1;
    };
    await startApp();

    // when two messages of one key are published and the notifier stays busy for 20 retry delays
    const first = broker.publish(Topics.ledgerEvents, 'act-1', { ...message, seq: 1 });
    const second = broker.publish(Topics.ledgerEvents, 'act-1', { ...message, seq: 2 });
    const isFirstDone = isSettled(first);
    await sleep(20);
    const auditsWhileNotifierBusy = audits;
    const firstDoneWhileNotifierBusy = isFirstDone();
    notifyGate.resolve();
    await Promise.all([first, second]);

    // then the broker did not retry while the notifier was still at work, although audit failed at once
    expect(auditsWhileNotifierBusy).toBe(1);
    expect(firstDoneWhileNotifierBusy).toBe(false);
    // and the notifier saw the first message twice (at least once), never two calls at a time, in order
    expect(overlaps).toEqual([]);
    expect(notified).toEqual([{ ...message, seq: 1 }, { ...message, seq: 1 }, { ...message, seq: 2 }]);
  });

  it('dead-letters a message whose handler keeps throwing; Nest logs the handler error, the dead letter names the topic', async () => {
    // given an audit handler that always fails
    const failure = new Error('read model corrupt');
    probe.audit = () => {
      throw failure;
    };
    await startApp();

    // when
    await broker.publish(Topics.ledgerEvents, 'act-1', message);

    // then Nest's exception filter hides the error's message from the transport but logs the error itself
    expect(busErrors.map(({ attempt }) => attempt)).toEqual([1, 2, 3]);
    expect(busErrors.every(({ error }) => error instanceof Error)).toBe(true);
    expect(broker.deadLetters).toEqual([
      expect.objectContaining({
        topic: Topics.ledgerEvents,
        key: 'act-1',
        message,
        attempts: 3,
        error: `handler of ${Topics.ledgerEvents} failed: Internal server error`,
      }),
    ]);
    expect(loggedErrors).toEqual([failure, failure, failure]);
  });

  it('routes send() to the @MessagePattern handler and returns its reply', async () => {
    // given a command handler that echoes what it received
    let received: unknown;
    probe.castVote = async (m) => {
      received = m;
      return { ok: true, actionId: 'act-1', status: 'APPROVED' } satisfies CommandReply;
    };
    await startApp();
    const command = { type: 'CastVote', data: { actionId: 'act-1', approverId: 'bob', channel: 'console', decision: 'APPROVE' } };

    // when
    const reply = await broker.send(Commands.castVote, command);

    // then
    expect(received).toEqual(command);
    expect(reply).toEqual({ ok: true, actionId: 'act-1', status: 'APPROVED' });
  });

  it('waits for a reply given as an Observable, as Nest handlers may return one', async () => {
    // given a command handler that answers with an Observable that emits later
    probe.castVote = () => timer(5).pipe(map(() => ({ ok: true, actionId: 'act-1', status: 'DENIED' }) satisfies CommandReply));
    await startApp();

    // when / then
    await expect(broker.send(Commands.castVote, {})).resolves.toEqual({ ok: true, actionId: 'act-1', status: 'DENIED' });
  });

  it('rejects send() with an Error when the @MessagePattern handler throws (commands reply with values, not exceptions)', async () => {
    // given
    const failure = new Error('ledger unavailable');
    probe.castVote = () => {
      throw failure;
    };
    await startApp();

    // when
    const sending = broker.send(Commands.castVote, {});

    // then the caller gets an Error naming the command, and the log has the original
    await expect(sending).rejects.toBeInstanceOf(Error);
    await expect(sending).rejects.toThrow(`handler of ${Commands.castVote} failed: Internal server error`);
    expect(loggedErrors).toEqual([failure]);
  });

  it('drains in-flight messages on close(), then detaches from the broker', async () => {
    // given a message whose handler is still running
    const gate = deferred();
    const handled: string[] = [];
    probe.audit = async () => {
      await gate.promise;
      handled.push('audit');
    };
    await startApp();
    void broker.publish(Topics.ledgerEvents, 'act-1', message);
    await settle();

    // when the application closes
    const closing = app!.close();
    app = undefined;
    const isClosed = isSettled(closing);
    await settle();

    // then it waits for the handler before closing
    expect(isClosed()).toBe(false);
    gate.resolve();
    await closing;
    expect(handled).toEqual(['audit']);

    // and what is published afterwards waits for a transport instead of reaching the closed one
    const later = broker.publish(Topics.ledgerEvents, 'act-2', message);
    const isLaterSettled = isSettled(later);
    await settle();
    expect(isLaterSettled()).toBe(false);
    expect(handled).toEqual(['audit']);
  });
});
