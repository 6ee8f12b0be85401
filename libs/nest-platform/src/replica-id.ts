import type { SingletonWork } from '@approvals/application';
import { LeasedWork } from '@approvals/application';
import type { AppConfig } from '@approvals/config';
import type { ServiceState } from '@approvals/service-state';
import type { Logger } from '@approvals/telemetry';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';

const id = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;

/** This process among the replicas (host, pid and a random part: a restarted process is a new holder). */
export const replicaId = (): string => id;

/**
 * `work` run on one replica at a time, under the lease `name` of the shared service state
 * (APPROVALS_LEASE_TTL_MS); `what` says in the log what this replica starts or stops doing.
 */
export function leasedWork(name: string, work: SingletonWork, what: string, deps: { state: ServiceState; config: AppConfig; logger: Logger }): LeasedWork {
  return new LeasedWork(deps.state.leases, name, replicaId(), work, {
    ttlMs: deps.config.leaseTtlMs,
    onChange: (held) => deps.logger.info(`this replica ${held ? 'now' : 'no longer'} ${what}`),
    onError: (err) => deps.logger.warn({ err, lease: name }, `the lease ${name} could not be renewed`),
  });
}
