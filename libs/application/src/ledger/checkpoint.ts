import type { KeyObject } from 'node:crypto';
import { createHash, createPublicKey, sign, verify } from 'node:crypto';
import type { Hash } from './merkle';

/**
 * Signed checkpoints of the ledger's Merkle tree, in the C2SP formats that transparency-log
 * tooling and witnesses read: the body is a `tlog-checkpoint` (origin, tree size, root hash, then
 * optional extension lines) and the signatures follow it as a `signed-note`, each line
 * `— <key name> <base64(key id || Ed25519 signature)>`. The key id of an Ed25519 key is the first
 * four bytes of SHA-256(name || "\n" || 0x01 || public key), so a verifier finds its key by name
 * and id and ignores signatures of keys it does not know.
 */

export interface Checkpoint {
  /** Names the log (e.g. `approvals.example.com/ledger`); a witness keeps one history per origin. */
  origin: string;
  size: number;
  rootHash: Hash;
  /** Extra lines after the root hash; signed, not interpreted here. */
  extensions?: string[] | undefined;
}

/** A public key as a verifier knows it: `<name>+<key id hex>+<base64(0x01 || Ed25519 public key)>`. */
export interface NoteVerifier {
  name: string;
  keyId: Buffer;
  publicKey: KeyObject;
}

const ED25519 = 0x01;
const signaturePrefix = '\u2014 ';
const ed25519SpkiPrefix = Buffer.from('302a300506032b6570032100', 'hex');

export class CheckpointFormatError extends Error {}

/** The checkpoint's note text: what is signed. */
export function checkpointBody(checkpoint: Checkpoint): string {
  if (!isLine(checkpoint.origin) || checkpoint.origin === '') throw new CheckpointFormatError('the origin must be one non-empty line');
  if (!Number.isSafeInteger(checkpoint.size) || checkpoint.size < 0) throw new CheckpointFormatError(`the tree size must be a whole number, not ${checkpoint.size}`);
  if (checkpoint.rootHash.length !== 32) throw new CheckpointFormatError('the root hash must be 32 bytes');
  const extensions = checkpoint.extensions ?? [];
  if (extensions.some((line) => !isLine(line) || line === '')) throw new CheckpointFormatError('each extension must be one non-empty line');
  return [checkpoint.origin, String(checkpoint.size), checkpoint.rootHash.toString('base64'), ...extensions].map((line) => `${line}\n`).join('');
}

const isLine = (text: string) => !/[\u0000-\u001f\u007f]/.test(text) && text.isWellFormed();

/** The raw 32-byte public key of an Ed25519 KeyObject. */
function rawPublicKey(key: KeyObject): Buffer {
  const der = (key.type === 'public' ? key : createPublicKey(key)).export({ format: 'der', type: 'spki' });
  if (der.length !== ed25519SpkiPrefix.length + 32 || !der.subarray(0, ed25519SpkiPrefix.length).equals(ed25519SpkiPrefix)) {
    throw new CheckpointFormatError('checkpoint keys must be Ed25519 keys');
  }
  return der.subarray(ed25519SpkiPrefix.length);
}

function checkKeyName(name: string): void {
  if (name === '' || /[\s+]/.test(name) || !name.isWellFormed()) throw new CheckpointFormatError(`"${name}" is not a key name: non-empty, without spaces or "+"`);
}

/** The key id of an Ed25519 key under `name`. */
export function ed25519KeyId(name: string, publicKey: KeyObject): Buffer {
  checkKeyName(name);
  return createHash('sha256').update(`${name}\n`).update(Buffer.from([ED25519])).update(rawPublicKey(publicKey)).digest().subarray(0, 4);
}

/** The verifier key text of a public key, as published for auditors and witnesses. */
export function verifierKeyText(name: string, publicKey: KeyObject): string {
  return `${name}+${ed25519KeyId(name, publicKey).toString('hex')}+${Buffer.concat([Buffer.from([ED25519]), rawPublicKey(publicKey)]).toString('base64')}`;
}

/** Reads a verifier key text; throws CheckpointFormatError naming what is wrong. */
export function parseVerifierKey(text: string): NoteVerifier {
  // The base64 part may itself hold "+": only the first two separate.
  const match = /^([^+]+)\+([^+]*)\+(.+)$/.exec(text.trim());
  if (!match) throw new CheckpointFormatError('a verifier key is <name>+<key id>+<base64 key>');
  const [, name, idHex, keyBase64] = match as unknown as [string, string, string, string];
  checkKeyName(name);
  const key = Buffer.from(keyBase64, 'base64');
  if (!/^[0-9a-f]{8}$/.test(idHex)) throw new CheckpointFormatError('the key id must be 8 lower-case hex digits');
  if (key.length !== 33 || key[0] !== ED25519) throw new CheckpointFormatError('only Ed25519 verifier keys (type 0x01) are supported');
  const publicKey = createPublicKey({ key: Buffer.concat([ed25519SpkiPrefix, key.subarray(1)]), format: 'der', type: 'spki' });
  const keyId = ed25519KeyId(name, publicKey);
  if (keyId.toString('hex') !== idHex) throw new CheckpointFormatError(`the key id ${idHex} is not the id of that key (${keyId.toString('hex')})`);
  return { name, keyId, publicKey };
}

/** A signature line for `body` by the Ed25519 private key `key` named `name`. */
export function signatureLine(body: string, name: string, key: KeyObject): string {
  const signature = sign(null, Buffer.from(body, 'utf8'), key);
  return `${signaturePrefix}${name} ${Buffer.concat([ed25519KeyId(name, createPublicKey(key)), signature]).toString('base64')}\n`;
}

/** The signed note of a checkpoint: its body, a blank line, one signature line per key. */
export function signCheckpoint(checkpoint: Checkpoint, keys: readonly { name: string; key: KeyObject }[]): string {
  const body = checkpointBody(checkpoint);
  return `${body}\n${keys.map(({ name, key }) => signatureLine(body, name, key)).join('')}`;
}

export interface OpenedCheckpoint {
  checkpoint: Checkpoint;
  body: string;
  /** Names of the given verifiers whose signatures verified. */
  verifiedBy: string[];
}

/**
 * Reads a signed checkpoint and checks its signatures against `verifiers`. Throws
 * CheckpointFormatError when the text is not a signed note of a checkpoint, or when a signature of
 * a known key does not verify, or when none of the known keys signed it.
 */
export function openCheckpoint(text: string, verifiers: readonly NoteVerifier[]): OpenedCheckpoint {
  const split = text.lastIndexOf('\n\n');
  if (split < 0 || !text.endsWith('\n')) throw new CheckpointFormatError('a signed note is its text, a blank line, and signature lines, each ending in a newline');
  const body = text.slice(0, split + 1);
  const lines = body.slice(0, -1).split('\n');
  if (lines.length < 3 || lines.some((line) => !isLine(line))) throw new CheckpointFormatError('a checkpoint has an origin, a tree size and a root hash, one per line');
  const [origin, sizeText, rootText, ...extensions] = lines as [string, string, string, ...string[]];
  if (!/^(0|[1-9][0-9]*)$/.test(sizeText) || !Number.isSafeInteger(Number(sizeText))) throw new CheckpointFormatError(`"${sizeText.slice(0, 30)}" is not a tree size`);
  const rootHash = Buffer.from(rootText, 'base64');
  if (rootHash.length !== 32 || rootHash.toString('base64') !== rootText) throw new CheckpointFormatError('the root hash must be 32 bytes in base64');
  const verifiedBy: string[] = [];
  for (const line of text.slice(split + 2, -1).split('\n')) {
    if (!line.startsWith(signaturePrefix)) throw new CheckpointFormatError(`"${line.slice(0, 40)}" is not a signature line`);
    const [name, encoded] = line.slice(signaturePrefix.length).split(' ') as [string, string | undefined];
    const signature = Buffer.from(encoded ?? '', 'base64');
    if (signature.length < 5) throw new CheckpointFormatError(`the signature of ${name} is too short`);
    const verifier = verifiers.find((v) => v.name === name && v.keyId.equals(signature.subarray(0, 4)));
    if (!verifier) continue; // another party's signature, e.g. a witness's cosignature
    if (!verify(null, Buffer.from(body, 'utf8'), verifier.publicKey, signature.subarray(4))) {
      throw new CheckpointFormatError(`the signature of ${name} (key ${verifier.keyId.toString('hex')}) does not verify`);
    }
    verifiedBy.push(name);
  }
  if (verifiedBy.length === 0) throw new CheckpointFormatError('no signature by a known key');
  return { checkpoint: { origin, size: Number(sizeText), rootHash, ...(extensions.length ? { extensions } : {}) }, body, verifiedBy };
}
