import type { Logger } from '@approvals/telemetry';
import { MetricNames, approvalsMeter } from '@approvals/telemetry';

let faults = 0;

/** Faults that reached this process's last-resort handlers since it started (see guardProcess). */
export const unhandledFaults = (): number => faults;

/**
 * The last resort: a promise rejection nobody handled, or an exception nobody caught, is a bug,
 * but one bug must not take a service down (SPEC I10), so it is logged with its stack and counted
 * (metric `approvals.process.unhandled_faults`, `unhandledFaults` on /readyz) and the process goes
 * on. Faults are fixed at their cause; this only makes sure none ends a process or goes unseen.
 */
export function guardProcess(logger: Logger): void {
  const counter = approvalsMeter().createCounter(MetricNames.unhandledFaults, {
    description: 'Unhandled promise rejections and uncaught exceptions (each a bug; the process keeps running)',
    unit: '{fault}',
  });
  const record = (kind: 'unhandled_rejection' | 'uncaught_exception', error: unknown) => {
    faults += 1;
    counter.add(1, { kind });
    logger.error({ err: error, kind, faults }, `${kind.replace('_', ' ')} (a bug: please report it); the service keeps running`);
  };
  process.on('unhandledRejection', (reason) => record('unhandled_rejection', reason));
  process.on('uncaughtException', (error) => record('uncaught_exception', error));
}
