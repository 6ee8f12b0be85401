import pino from 'pino';

export type Logger = pino.Logger;

/** JSON logs (pino), one logger per service. */
export function createLogger(service: string, level: string): Logger {
  return pino({ name: service, level, base: { service } });
}
