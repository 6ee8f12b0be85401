import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';

const id = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;

/** This process among the replicas (host, pid and a random part: a restarted process is a new holder). */
export const replicaId = (): string => id;
