/** Raised by any ledger operation after the ledger was closed. */
export class LedgerClosedError extends Error {
  override readonly name = 'LedgerClosedError';
  constructor(readonly location: string) {
    super(`the ledger at ${location} is closed; open it again before using it`);
  }
}
