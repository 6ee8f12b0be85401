import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { BundleSelection, BundleSink, BundleSummary, BundleVerdict, LedgerFinding, NoteVerifier, VerifyReport } from '@approvals/application';
import type { CheckpointSigner, Witness } from '@approvals/application';
import { Checkpointer, LogKeeper, TreeReader, describeFinding as describe, verifyEvidenceBundle, verifyLedger, writeEvidenceBundle } from '@approvals/application';
import type { Ledger } from './open-ledger';
import type { VerifyThreadsOptions } from '@approvals/ledger-sqlite';
import { sqliteSegments } from '@approvals/ledger-sqlite';
import { readWitnessFile } from '@approvals/ledger-core';

export type { BundleSelection, BundleSummary, BundleVerdict, LedgerFinding, VerifyReport };
// What the CLI needs to check proofs offline, beside the rest of the audit tools.
export { describeFinding, parseVerifierKey, verifyConsistencyProof, verifyInclusionProofFile } from '@approvals/application';

/**
 * Verifies an opened ledger against itself, its log, its recorded checkpoints (their signatures
 * too, given the keys) and witness files (see verifyLedger); the CLI's `audit verify`.
 */
export function auditLedger(
  ledger: Ledger,
  options: {
    onProgress?: (verified: number, head: bigint) => void;
    verifiers?: NoteVerifier[];
    witnessFiles?: string[];
    sinceSize?: number;
    /** Worker threads for an embedded ledger (see sqliteSegments; 0: none). */
    threads?: VerifyThreadsOptions;
  } = {},
): Promise<VerifyReport> {
  return verifyLedger(ledger.events, ledger.log, {
    ...(ledger.spec.store === 'embedded' ? { segments: sqliteSegments(ledger.spec.file, options.threads) } : {}),
    densePositions: ledger.densePositions,
    witnessed: (options.witnessFiles ?? []).flatMap(readWitnessFile),
    ...(options.verifiers ? { verifiers: options.verifiers } : {}),
    ...(options.sinceSize !== undefined ? { sinceSize: options.sinceSize } : {}),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  });
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

/**
 * Signs a checkpoint of the log as it stands, records it and hands it to the witnesses, once:
 * what the decision service's checkpointer does on its timer. For tools and tests.
 */
export async function checkpointOnce(ledger: Ledger, keys: CheckpointSigner, witnesses: Witness[]): Promise<void> {
  if (!ledger.log) throw new Error(`the ${ledger.spec.store} ledger keeps no ledger log`);
  let failure: unknown;
  const checkpointer = new Checkpointer(ledger.log, new TreeReader(ledger.events, ledger.log, ledger.densePositions), keys, witnesses, {
    everyEvents: Number.MAX_SAFE_INTEGER,
    intervalMs: Number.MAX_SAFE_INTEGER,
    onFinding: (finding) => (failure ??= new Error(describe(finding))),
    onError: (error) => (failure ??= error),
  });
  await checkpointer.start();
  await checkpointer.stop();
  if (failure !== undefined) throw failure;
}

/**
 * Writes an evidence bundle into `dir` (created; it must be empty): see writeEvidenceBundle. Files
 * are appended to as events are read, so a large export takes little memory.
 */
export async function exportEvidence(
  ledger: Ledger,
  dir: string,
  selection: BundleSelection,
  keys: readonly string[],
  onProgress?: (scanned: bigint, head: bigint, selected: number) => void,
): Promise<BundleSummary> {
  if (!ledger.log) throw new Error(`the ${ledger.spec.store} ledger keeps no ledger log, so it gives no proofs`);
  if (existsSync(dir) && readdirSync(dir).length > 0) throw new Error(`${dir} is not empty: give a new folder for the bundle`);
  mkdirSync(dir, { recursive: true });
  const sink: BundleSink = {
    append: async (file, text) => {
      const path = join(dir, file);
      mkdirSync(dirname(path), { recursive: true });
      appendFileSync(path, text);
    },
  };
  return writeEvidenceBundle(ledger.events, ledger.log, ledger.densePositions, selection, keys, sink, onProgress);
}

/** Checks a bundle folder with no server (see verifyEvidenceBundle). */
export function verifyEvidenceFolder(dir: string, verifiers: NoteVerifier[]): BundleVerdict {
  const inside = resolve(dir);
  return verifyEvidenceBundle((file) => {
    const path = resolve(inside, file);
    // The manifest names the files: none may point outside the bundle.
    if (!path.startsWith(`${inside}/`) || !existsSync(path)) return undefined;
    return readFileSync(path, 'utf8');
  }, verifiers);
}
