import { LedgerIntegrity, describeFinding } from '@approvals/application';
import type { Ledger } from '@approvals/ledger';
import type { Logger } from '@approvals/telemetry';
import { MetricNames, approvalsMeter } from '@approvals/telemetry';

/**
 * The run-time check of streams against the ledger log, for ledgers that keep a log; every
 * inconsistency is logged at error level with the action it concerns and counted.
 */
export function ledgerIntegrity(ledger: Ledger, logger: Logger): LedgerIntegrity | undefined {
  if (!ledger.log) return undefined;
  const counter = approvalsMeter().createCounter(MetricNames.ledgerInconsistencies, {
    description: 'Inconsistencies between the ledger and its log (each needs an operator: see docs/audit.md)',
    unit: '{finding}',
  });
  return new LedgerIntegrity(ledger.log, (finding) => {
    counter.add(1, { kind: finding.kind });
    const actionId = finding.streamId?.startsWith('action-') ? finding.streamId.slice('action-'.length) : undefined;
    logger.error(
      { kind: finding.kind, streamId: finding.streamId, actionId, revision: finding.revision, position: finding.position?.toString() },
      `the ledger is inconsistent; nothing more is done with ${actionId ? `action ${actionId}` : 'it'}: ${describeFinding(finding)}`,
    );
  });
}
