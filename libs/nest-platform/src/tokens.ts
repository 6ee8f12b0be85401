/** Injection tokens for the ports; the modules that provide them choose the adapters. */
export const CONFIG = Symbol('AppConfig');
export const LOGGER = Symbol('Logger');
export const EVENT_STORE = Symbol('EventStore');
export const CHECKPOINT_STORE = Symbol('CheckpointStore');
export const DIRECTORY = Symbol('Directory');
export const CLOCK = Symbol('Clock');
export const IDS = Symbol('IdGenerator');
export const MESSAGE_PUBLISHER = Symbol('MessagePublisher');
export const COMMAND_SENDER = Symbol('CommandSender');
export const BROKER = Symbol('InProcessBroker');
