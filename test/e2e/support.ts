import { cpSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ApprovalsClient, ServiceAddresses } from '@approvals/client';
import { createApprovalsClient, isServiceError, statusName, unary } from '@approvals/client';
import { demoKey, repoRoot } from '@approvals/testing';
import type { RequestActionRequest } from '@approvals/contracts';

export { demoKey };

/** A client that calls as the given agent or human. */
export function clientAs(address: string | ServiceAddresses, id: string): ApprovalsClient {
  return createApprovalsClient({ address, apiKey: demoKey(id), deadlineMs: 20_000 });
}

/** A copy of the demo policy set with different approval time-to-live values. */
export function policiesWithTtl(ttlSeconds: number): string {
  const dir = mkdtempSync(join(tmpdir(), 'approvals-policies-'));
  cpSync(join(repoRoot(), 'policies', 'demo'), dir, { recursive: true });
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.cedar'))) {
    const path = join(dir, file);
    writeFileSync(path, readFileSync(path, 'utf8').replace(/@ttl\("\d+"\)/g, `@ttl("${ttlSeconds}")`));
  }
  return dir;
}

let counter = 0;
/** A request with sensible defaults; each call gets a fresh idempotency key. */
export function actionRequest(overrides: Partial<RequestActionRequest> = {}): RequestActionRequest {
  counter += 1;
  return {
    model: 'gpt-test',
    action: 'db.read',
    resource: { kind: 'dataset', id: 'customers' },
    environment: 'prod',
    parametersJson: '{}',
    justification: 'end-to-end test',
    idempotencyKey: `e2e-${process.pid}-${Date.now()}-${counter}`,
    ...overrides,
  };
}

/** Runs a call that must fail and returns its status name, details and field violations. */
export async function failure(call: Promise<unknown>): Promise<{ status: string; details: string; violations: { field: string }[] }> {
  try {
    await call;
  } catch (error) {
    if (!isServiceError(error)) throw error;
    const raw = error.metadata.get('x-field-violations')[0];
    return {
      status: statusName(error.code),
      details: error.details,
      violations: typeof raw === 'string' ? (JSON.parse(raw) as { field: string }[]) : [],
    };
  }
  throw new Error('expected the call to fail, but it succeeded');
}

export async function awaitOutcome(client: ApprovalsClient, actionId: string, timeoutMs = 10_000) {
  return unary(client.intake, 'AwaitDecision', { actionId, timeoutMs });
}

/**
 * Polls until `check` passes or the time is up (for effects that happen asynchronously).
 * A probe that fails counts as "not yet" (the read model may not have projected the action);
 * the last failure is thrown if the time runs out without a value.
 */
export async function eventually<T>(probe: () => Promise<T>, check: (value: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let outcome: { value: T } | { error: unknown };
    try {
      outcome = { value: await probe() };
    } catch (error) {
      outcome = { error };
    }
    if ('value' in outcome && check(outcome.value)) return outcome.value;
    if (Date.now() > deadline) {
      if ('error' in outcome) throw outcome.error;
      return outcome.value;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The ledger's head position as the decision service reports it: unchanged means nothing was recorded. */
export async function ledgerPosition(decisionHttpUrl: string): Promise<bigint> {
  const response = await fetch(`${decisionHttpUrl}/readyz`);
  const body = (await response.json()) as { ledgerPosition?: string };
  if (!response.ok || body.ledgerPosition === undefined) throw new Error(`readyz answered ${response.status}`);
  return BigInt(body.ledgerPosition);
}

/**
 * The ledger position once nothing has been appended for `quietMs`: background work (deliveries,
 * reminders, notices) has landed, so a count taken from here sees only what the test does next.
 */
export async function settledLedgerPosition(decisionHttpUrl: string, quietMs = 1000, timeoutMs = 15_000): Promise<bigint> {
  const deadline = Date.now() + timeoutMs;
  let last = await ledgerPosition(decisionHttpUrl);
  while (Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, quietMs));
    const now = await ledgerPosition(decisionHttpUrl);
    if (now === last) return now;
    last = now;
  }
  throw new Error(`the ledger kept growing for ${timeoutMs} ms (at ${last})`);
}
