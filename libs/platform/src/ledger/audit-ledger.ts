import type { LedgerFinding, VerifyReport } from '@approvals/application';
import { LogKeeper, verifyLedger } from '@approvals/application';
import type { Ledger } from './open-ledger';

export type { LedgerFinding, VerifyReport };
// What the CLI needs to check proofs offline, reached through the platform as its boundary requires.
export { describeFinding, parseVerifierKey, verifyConsistencyProof, verifyInclusionProofFile } from '@approvals/application';

/** Verifies an opened ledger against itself and its log (see verifyLedger); the CLI's `audit verify`. */
export function auditLedger(ledger: Ledger, onProgress?: (verified: number, head: bigint) => void): Promise<VerifyReport> {
  return verifyLedger(ledger.events, ledger.log, { densePositions: ledger.densePositions, ...(onProgress ? { onProgress } : {}) });
}

/**
 * Brings the ledger log up to the ledger's head once and returns what the keeper found on the way:
 * what the decision service's keeper does continuously. For tools and tests.
 */
export async function catchUpLedgerLog(ledger: Ledger): Promise<LedgerFinding[]> {
  if (!ledger.log) throw new Error(`the ${ledger.spec.store} ledger keeps no ledger log`);
  const found: LedgerFinding[] = [];
  let failure: unknown;
  const keeper = new LogKeeper(ledger.events, ledger.log, {
    densePositions: ledger.densePositions,
    onFinding: (finding) => found.push(finding),
    onError: (error) => (failure ??= error),
  });
  await keeper.start();
  await keeper.stop();
  if (failure !== undefined) throw failure;
  return found;
}
