import type { LedgerEventOf, PolicyHistory__Output } from '@approvals/contracts';
import { parseLedgerEvent } from '@approvals/contracts';
import { sha256Hex } from '../ledger/event-hash';
import type { Clock, IdGenerator } from '../ports/clock.port';
import type { EventStore, RecordedEvent } from '../ports/event-store.port';
import { WrongExpectedRevisionError } from '../ports/event-store.port';

/** The ledger stream of policy set activations (not an action stream: the outbox does not relay it). */
export const POLICY_HISTORY_STREAM = 'policy-set-history';

/** One file of a policy set, as loaded. */
export interface PolicySetFile {
  name: string;
  text: string;
}

/** The event recorded for each activation: auditors read which version decided when, and why it changed. */
export type PolicySetActivated = LedgerEventOf<'PolicySetActivated'>;

/** What made a policy set the running one. */
export type PolicyActivationTrigger = PolicySetActivated['data']['trigger'];

/** The activation a recorded event holds; undefined for any other event of the stream. */
function activationOf(event: RecordedEvent): PolicySetActivated | undefined {
  const parsed = parseLedgerEvent(event.type, event.data);
  return parsed?.type === 'PolicySetActivated' ? parsed : undefined;
}

/**
 * Records policy set activations in the ledger, once per change of version: a restart with the
 * same policies, or several evaluator instances activating the same version, add nothing. The
 * append expects the history's last revision, so two instances racing cannot both record one
 * change; the loser reads again and finds it recorded.
 */
export class PolicyActivations {
  constructor(
    private readonly store: EventStore,
    private readonly clock: Clock,
    private readonly ids: IdGenerator,
    private readonly activatedBy: string,
  ) {}

  /** Records that `toVersion` runs now; returns the event, or undefined when the ledger already says so. */
  async record(toVersion: string, trigger: PolicyActivationTrigger, source: string, files: readonly PolicySetFile[]): Promise<PolicySetActivated | undefined> {
    for (let attempt = 0; attempt < 5; attempt += 1) {
      const last = (await this.store.readStream(POLICY_HISTORY_STREAM, { direction: 'backwards', maxCount: 1 }))[0];
      const fromVersion = last === undefined ? null : (activationOf(last)?.data.toVersion ?? null);
      if (fromVersion === toVersion) return undefined;
      const event: PolicySetActivated = {
        type: 'PolicySetActivated',
        data: {
          fromVersion,
          toVersion,
          trigger,
          source,
          activatedAt: this.clock.now().toISOString(),
          activatedBy: this.activatedBy,
          files: files.map(({ name, text }) => ({ name, sha256: sha256Hex(text), text })),
        },
      };
      try {
        const result = await this.store.appendToStream(
          POLICY_HISTORY_STREAM,
          [{ eventId: this.ids.next(), type: event.type, data: event.data, metadata: { actor: { kind: 'service', id: this.activatedBy }, policyVersion: toVersion } }],
          { expectedRevision: last === undefined ? 'no_stream' : last.revision },
        );
        return result.appended ? event : undefined;
      } catch (error) {
        if (!(error instanceof WrongExpectedRevisionError)) throw error;
      }
    }
    throw new Error(`the policy history kept changing while activation of ${toVersion} was recorded; it will be recorded at the next activation`);
  }

  /** Every activation, oldest first. */
  async history(): Promise<RecordedEvent[]> {
    return this.store.readStream(POLICY_HISTORY_STREAM);
  }
}

/**
 * The policy history as auditors ask for it: every activation (or those of one version), oldest
 * first, with the files when asked. Read from the ledger, which is where it is recorded.
 */
export async function readPolicyHistory(store: EventStore, request: { version: string; includeFiles: boolean }): Promise<PolicyHistory__Output> {
  const events = await store.readStream(POLICY_HISTORY_STREAM);
  const activations = events
    .flatMap((event) => {
      const activation = activationOf(event);
      return activation ? [{ position: event.position, data: activation.data }] : [];
    })
    .filter(({ data }) => request.version === '' || data.toVersion === request.version)
    .map(({ position, data }) => ({
      position: position.toString(),
      fromVersion: data.fromVersion ?? '',
      toVersion: data.toVersion,
      trigger: data.trigger,
      source: data.source,
      activatedAt: data.activatedAt,
      activatedBy: data.activatedBy,
      files: request.includeFiles ? (data.files ?? []) : [],
    }));
  return { activations };
}
