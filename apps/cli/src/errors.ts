/** Exit codes of the approvals CLI (documented in docs/cli.md). */
export const ExitCode = {
  ok: 0,
  /** A call failed (gRPC error, unreadable directory file, ...). */
  failure: 1,
  /** Bad command line: unknown command or flag, missing or malformed value. */
  usage: 2,
  /** Done, but the outcome is a no: vote rejected, or the action was denied, expired or cancelled. */
  negative: 3,
  /** Waited, but no decision arrived before the timeout. */
  undecided: 4,
} as const;

export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** A mistake on the command line; printed with a pointer to the command's help, exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** A failure the person can act on (e.g. a missing demo key); printed without a stack trace, exit code 1. */
export class CliError extends Error {
  override readonly name = 'CliError';
}
