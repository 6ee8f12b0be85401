/** Thrown by every call to a read model store after its `close()`; `file` says which store (no password). */
export class ReadModelClosedError extends Error {
  override readonly name = 'ReadModelClosedError';
  constructor(readonly file: string) {
    super(`audit read model ${file} is closed`);
  }
}
