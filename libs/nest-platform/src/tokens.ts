/** Injection tokens for the ports; the modules that provide them choose the adapters. */
export const CONFIG = Symbol('AppConfig');
export const LOGGER = Symbol('Logger');
export const EVENT_STORE = Symbol('EventStore');
export const CHECKPOINT_STORE = Symbol('CheckpointStore');
/** The opened ledger (events, checkpoints, and the ledger log where the adapter keeps one). */
export const LEDGER = Symbol('Ledger');
/** The run-time check of streams against the ledger log (LedgerIntegrity), or undefined without a log. */
export const LEDGER_INTEGRITY = Symbol('LedgerIntegrity');
/** What the replicas of a service share beside the ledger: leases, the notifier's pending list (ServiceState). */
export const SERVICE_STATE = Symbol('ServiceState');
export const DIRECTORY = Symbol('Directory');
export const AUTHENTICATOR = Symbol('GrpcAuthenticator');
export const CLOCK = Symbol('Clock');
export const IDS = Symbol('IdGenerator');
export const MESSAGE_PUBLISHER = Symbol('MessagePublisher');
export const COMMAND_SENDER = Symbol('CommandSender');
export const BROKER = Symbol('InProcessBroker');
/** The bus transport's state for /readyz: `{ ready, deadLetters }` (see BusStatus). */
export const BUS_STATUS = Symbol('BusStatus');
/** The distributed mode's Kafka transport (a KafkaServer), connected by the service's main. */
export const BUS_SERVER = Symbol('BusServer');

/** What /readyz reports of the bus. */
export interface BusStatus {
  /** False while the transport cannot take messages (not attached, not in its consumer group, broker away). */
  readonly ready: boolean;
  /** Why it is not ready, for operators. */
  readonly notReadyReason?: string | undefined;
  /** Messages given up on by this process, newest last. */
  readonly deadLetters: readonly unknown[];
}
