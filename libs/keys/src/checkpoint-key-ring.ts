import type { JsonWebKeyInput, KeyObject } from 'node:crypto';
import { createPrivateKey, createPublicKey } from 'node:crypto';
import type { Checkpoint, NoteVerifier } from '@approvals/application';
import { ed25519KeyId, signCheckpoint, verifierKeyText } from '@approvals/application';
import type { SigningKeyFile } from './signing-key-file';
import { openSigningKeys, rotateSigningKeys, signingKeyAt, signsFrom } from './signing-key-file';

export interface CheckpointKeyRingOptions {
  /** A JWK Set of private Ed25519 keys; the last one signs, every one verifies. */
  keyFile: string;
  /** Create the file with a fresh key when it does not exist (embedded mode). */
  generateIfMissing: boolean;
  /** The log's origin: the first line of every checkpoint, and the name of its keys. */
  origin: string;
  /** The clock that decides which key signs (tests). */
  now?: () => number;
}

const checkpointKeyFile = (file: string): SigningKeyFile => ({ file, label: 'checkpoint signing keys', prefix: 'checkpoint' });

/**
 * The keys that sign the ledger's checkpoints (C2SP signed notes, named after the log's origin).
 * Like the grant keys, they rotate by adding a key to the file (`rotateCheckpointKeys`); the newest
 * signs after the next start, and every key kept is published so older checkpoints still verify.
 */
export class CheckpointKeyRing {
  private constructor(
    readonly origin: string,
    /** Oldest first, each with when it may start signing. */
    private readonly signing: { key: KeyObject; from: number }[],
    private readonly publicKeys: KeyObject[],
    private readonly now: () => number,
  ) {}

  static async open(options: CheckpointKeyRingOptions): Promise<CheckpointKeyRing> {
    const keys = await openSigningKeys(checkpointKeyFile(options.keyFile), options.generateIfMissing);
    const signing = keys.map((jwk) => ({ key: createPrivateKey({ key: jwk as JsonWebKeyInput['key'], format: 'jwk' }), from: signsFrom(jwk) }));
    return new CheckpointKeyRing(options.origin, signing, signing.map(({ key }) => createPublicKey(key)), options.now ?? Date.now);
  }

  /** The signed note of a checkpoint at this size and root, by the newest key whose signFrom has come. */
  sign(checkpoint: Omit<Checkpoint, 'origin'>): string {
    const { key } = signingKeyAt(this.signing, (entry) => entry.from, this.now());
    return signCheckpoint({ ...checkpoint, origin: this.origin }, [{ name: this.origin, key }]);
  }

  /** Every kept key, as verifiers of checkpoints. */
  verifiers(): NoteVerifier[] {
    return this.publicKeys.map((publicKey) => ({ name: this.origin, keyId: ed25519KeyId(this.origin, publicKey), publicKey }));
  }

  /** The verifier keys to publish (`<origin>+<key id>+<key>`), oldest first; the last one signs. */
  verifierKeys(): string[] {
    return this.publicKeys.map((key) => verifierKeyText(this.origin, key));
  }
}

/** Adds a checkpoint signing key to the file (signing from `signFrom`, default at once) and keeps the newest three. */
export function rotateCheckpointKeys(file: string, options: { signFrom?: Date | undefined } = {}): Promise<{ kid: string; kept: string[] }> {
  return rotateSigningKeys(checkpointKeyFile(file), options);
}
