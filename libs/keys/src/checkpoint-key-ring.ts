import type { JsonWebKeyInput, KeyObject } from 'node:crypto';
import { createPrivateKey, createPublicKey } from 'node:crypto';
import type { Checkpoint, NoteVerifier } from '@approvals/application';
import { ed25519KeyId, signCheckpoint, verifierKeyText } from '@approvals/application';
import type { SigningKeyFile } from './signing-key-file';
import { openSigningKeys, rotateSigningKeys } from './signing-key-file';

export interface CheckpointKeyRingOptions {
  /** A JWK Set of private Ed25519 keys; the last one signs, every one verifies. */
  keyFile: string;
  /** Create the file with a fresh key when it does not exist (embedded mode). */
  generateIfMissing: boolean;
  /** The log's origin: the first line of every checkpoint, and the name of its keys. */
  origin: string;
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
    private readonly signing: KeyObject,
    private readonly publicKeys: KeyObject[],
  ) {}

  static async open(options: CheckpointKeyRingOptions): Promise<CheckpointKeyRing> {
    const keys = await openSigningKeys(checkpointKeyFile(options.keyFile), options.generateIfMissing);
    const privateKeys = keys.map((jwk) => createPrivateKey({ key: jwk as JsonWebKeyInput['key'], format: 'jwk' }));
    return new CheckpointKeyRing(options.origin, privateKeys.at(-1)!, privateKeys.map((key) => createPublicKey(key)));
  }

  /** The signed note of a checkpoint at this size and root, by the newest key. */
  sign(checkpoint: Omit<Checkpoint, 'origin'>): string {
    return signCheckpoint({ ...checkpoint, origin: this.origin }, [{ name: this.origin, key: this.signing }]);
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

/** Adds a checkpoint signing key to the file and keeps the newest three. */
export function rotateCheckpointKeys(file: string): Promise<{ kid: string; kept: string[] }> {
  return rotateSigningKeys(checkpointKeyFile(file));
}
