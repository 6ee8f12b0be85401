import { connect } from 'node:net';
import { Kafka, logLevel, type ISocketFactory } from 'kafkajs';
import type { Logger } from '@approvals/telemetry';

export interface KafkaClientOptions {
  brokers: string[];
  /** Names this process to the broker (logs, quotas): the service name. */
  clientId: string;
  logger: Logger;
}

const levels: Record<number, 'error' | 'warn' | 'info' | 'debug'> = {
  [logLevel.ERROR]: 'error',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'info',
  [logLevel.DEBUG]: 'debug',
};

/**
 * kafkajs's own socket factory leaves Nagle's algorithm on, so a request written in pieces can wait
 * for the broker's delayed ACK: milliseconds on every hop. Plain TCP with no delay, as Kafka's Java
 * clients do (TLS comes with the security work).
 */
export const noDelaySocketFactory: ISocketFactory = ({ host, port, onConnect }) => {
  const socket = connect({ host, port, noDelay: true }, onConnect);
  socket.setKeepAlive(true, 60_000);
  return socket;
};

/**
 * The kafkajs client of a service. Its logs go to our pino logger; retries are generous so a
 * broker restart is ridden out by reconnecting rather than by crashing the service.
 */
export function createKafka(options: KafkaClientOptions): Kafka {
  const log = options.logger.child({ component: 'kafkajs' });
  return new Kafka({
    clientId: options.clientId,
    brokers: options.brokers,
    connectionTimeout: 3000,
    requestTimeout: 30_000,
    retry: { initialRetryTime: 200, maxRetryTime: 5000, retries: 12 },
    logLevel: logLevel.WARN,
    socketFactory: noDelaySocketFactory,
    logCreator:
      () =>
      ({ level, log: entry }) => {
        const { message, ...rest } = entry;
        log[levels[level] ?? 'info'](rest, message);
      },
  });
}

/** `host:port,host:port` as given in configuration, checked. */
export function parseBrokers(list: string): string[] {
  const brokers = list
    .split(',')
    .map((b) => b.trim())
    .filter((b) => b.length > 0);
  for (const broker of brokers) {
    if (!/^[^\s:]+:\d{1,5}$/.test(broker)) throw new TypeError(`"${broker}" is not host:port`);
  }
  if (brokers.length === 0) throw new TypeError('no broker given');
  return brokers;
}

/**
 * Names on the broker. A namespace (APPROVALS_KAFKA_NAMESPACE) prefixes every topic and consumer
 * group, so several systems (a staging and a test system, parallel test runs) can share one
 * cluster without reading each other's messages. Inside the services, topics keep their plain
 * names from the contracts; only the Kafka edge sees the prefixed ones.
 */
export class KafkaNames {
  private readonly prefix: string;

  constructor(readonly namespace = '') {
    this.prefix = namespace ? `${namespace}.` : '';
  }

  topic(name: string): string {
    return this.prefix + name;
  }

  /** The plain name of a topic on the broker (the pattern handlers subscribe to). */
  unprefixed(topic: string): string {
    return this.prefix && topic.startsWith(this.prefix) ? topic.slice(this.prefix.length) : topic;
  }

  /** The consumer group of a service. */
  group(service: string): string {
    return `${this.prefix}approvals.${service}`;
  }
}
