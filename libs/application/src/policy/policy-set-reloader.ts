import type { PolicyEngine } from '../ports/policy-engine.port';
import type { PolicyActivations, PolicyActivationTrigger, PolicySetFile } from './policy-activations';

/** A policy engine whose policy set can be loaded again while it runs. */
export interface ReloadablePolicyEngine extends PolicyEngine {
  /** The files of the running set. */
  readonly files: readonly PolicySetFile[];
  /** Activates the policy set as it is now on disk, or rejects (keeping the running one) with why it is invalid. */
  reload(): Promise<{ from: string; to: string; files: readonly PolicySetFile[] }>;
}

/** What the reloader tells the operators. */
export interface PolicyReloadReport {
  activated(from: string | null, to: string, trigger: PolicyActivationTrigger): void;
  unchanged(version: string, trigger: PolicyActivationTrigger): void;
  /** The new set is invalid: `message` names file and line; `running` keeps deciding. */
  rejected(message: string, running: string, trigger: PolicyActivationTrigger): void;
  /** The activation happened but could not be recorded in the ledger. */
  notRecorded(error: unknown, version: string): void;
}

/**
 * Activates new policy sets while the service runs (after a file change or a signal): validated
 * first, never replacing the running set with an invalid one, and recorded in the ledger with the
 * version before and after (PolicySetActivated), so auditors can tell which version decided when.
 * Reloads run one at a time, in the order asked.
 */
export class PolicySetReloader {
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly engine: ReloadablePolicyEngine,
    private readonly activations: PolicyActivations,
    private readonly source: string,
    private readonly report: PolicyReloadReport,
  ) {}

  /** Records the set the service started with (nothing when the ledger already has it as the latest). */
  start(): Promise<void> {
    return this.serialize(async () => {
      await this.recordActivation(this.engine.version, this.engine.files, 'start', null);
    });
  }

  reload(trigger: PolicyActivationTrigger): Promise<void> {
    return this.serialize(async () => {
      let result: { from: string; to: string; files: readonly PolicySetFile[] };
      try {
        result = await this.engine.reload();
      } catch (error) {
        this.report.rejected(error instanceof Error ? error.message : String(error), this.engine.version, trigger);
        return;
      }
      if (result.from === result.to) {
        this.report.unchanged(result.to, trigger);
        return;
      }
      await this.recordActivation(result.to, result.files, trigger, result.from);
    });
  }

  private async recordActivation(version: string, files: readonly PolicySetFile[], trigger: PolicyActivationTrigger, from: string | null): Promise<void> {
    try {
      const recorded = await this.activations.record(version, trigger, this.source, files);
      if (recorded) this.report.activated(recorded.data.fromVersion, version, trigger);
      else if (trigger !== 'start') this.report.activated(from, version, trigger);
    } catch (error) {
      this.report.notRecorded(error, version);
    }
  }

  private serialize(work: () => Promise<void>): Promise<void> {
    const next = this.queue.then(work);
    this.queue = next.catch(() => undefined);
    return next;
  }
}
