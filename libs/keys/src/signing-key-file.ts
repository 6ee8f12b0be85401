import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { JWK } from 'jose';
import { exportJWK, generateKeyPair } from 'jose';

/**
 * A file of Ed25519 signing keys: a JWK Set of private keys (`{ "keys": [...] }`), oldest first.
 * The newest signs; every key in the file still verifies what it signed before a rotation. The
 * grant keys and the checkpoint keys are such files; `label` names which in errors.
 *
 * A key may carry `signFrom` (an ISO 8601 instant, a member of ours): until then it only verifies.
 * That is how replicas rotate without refusing each other's signatures: the new key reaches every
 * replica (a rolling restart) before any of them signs with it.
 */

/** Keys kept after a rotation: the new one signs, older ones still verify what they signed. */
export const KEPT_SIGNING_KEYS = 3;

export class SigningKeyFileError extends Error {
  override readonly name: string = 'SigningKeyFileError';
}

export interface SigningKeyFile {
  file: string;
  /** e.g. "grant signing keys", for errors. */
  label: string;
  /** The kid prefix of new keys, e.g. "grant". */
  prefix: string;
  /** Thrown instead of SigningKeyFileError, so each key ring keeps its own error type. */
  error?: new (message: string) => Error;
}

const fail = (spec: SigningKeyFile, message: string): never => {
  throw new (spec.error ?? SigningKeyFileError)(`${spec.label}: ${message}`);
};

/** The keys of the file, creating it with one fresh key when missing and `generateIfMissing`. */
export async function openSigningKeys(spec: SigningKeyFile, generateIfMissing: boolean): Promise<JWK[]> {
  if (!existsSync(spec.file)) {
    if (!generateIfMissing) fail(spec, `${spec.file} does not exist`);
    writeSigningKeys(spec.file, [await newSigningKey(spec.prefix)]);
  }
  return readSigningKeys(spec);
}

/** Reads the file: a JWK Set, or (the format of earlier versions) one JWK. Every key needs a kid. */
export function readSigningKeys(spec: SigningKeyFile): JWK[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(spec.file, 'utf8'));
  } catch (error) {
    return fail(spec, `${spec.file} is not JSON (${(error as Error).message})`);
  }
  const keys = (typeof parsed === 'object' && parsed !== null && 'keys' in parsed ? (parsed as { keys: unknown }).keys : [parsed]) as unknown;
  if (!Array.isArray(keys) || keys.length === 0) return fail(spec, `${spec.file} holds no keys`);
  for (const [index, key] of keys.entries()) {
    const jwk = key as JWK;
    if (jwk.kty !== 'OKP' || jwk.crv !== 'Ed25519' || typeof jwk.d !== 'string' || typeof jwk.x !== 'string') {
      fail(spec, `key ${index} in ${spec.file} is not a private Ed25519 JWK`);
    }
    if (typeof jwk.kid !== 'string' || jwk.kid === '') fail(spec, `key ${index} in ${spec.file} has no kid`);
    const from = (jwk as { signFrom?: unknown }).signFrom;
    if (from !== undefined && (typeof from !== 'string' || Number.isNaN(Date.parse(from)))) fail(spec, `key ${index} in ${spec.file} has a signFrom that is not an ISO 8601 instant`);
  }
  return keys as JWK[];
}

/**
 * Adds a new signing key to the file (creating it if needed) and keeps the newest three. Returns
 * the new key's kid and the kids kept.
 */
export async function rotateSigningKeys(spec: SigningKeyFile, options: { signFrom?: Date | undefined } = {}): Promise<{ kid: string; kept: string[] }> {
  const keys = existsSync(spec.file) ? readSigningKeys(spec) : [];
  const fresh = { ...(await newSigningKey(spec.prefix)), ...(options.signFrom ? { signFrom: options.signFrom.toISOString() } : {}) };
  const kept = [...keys, fresh].slice(-KEPT_SIGNING_KEYS);
  writeSigningKeys(spec.file, kept);
  return { kid: fresh.kid!, kept: kept.map((key) => key.kid!) };
}

/** The public half of a key (no `d`, and nothing of ours). */
export function publicJwk({ d: _d, ...key }: JWK): JWK {
  delete (key as { signFrom?: unknown }).signFrom;
  return key;
}

/** When a key may start signing (ms; 0 when it always could). */
export const signsFrom = (key: JWK): number => {
  const from = (key as { signFrom?: string }).signFrom;
  return from === undefined ? 0 : Date.parse(from);
};

/** The key that signs at `now`: the newest whose signFrom has come (the oldest if none has). */
export function signingKeyAt<K>(keys: readonly K[], from: (key: K) => number, now: number): K {
  for (let i = keys.length - 1; i >= 0; i--) if (from(keys[i]!) <= now) return keys[i]!;
  return keys[0]!;
}

async function newSigningKey(prefix: string): Promise<JWK> {
  const { privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
  const created = new Date().toISOString();
  return { ...(await exportJWK(privateKey)), kid: `${prefix}-${created.replace(/[-:.TZ]/g, '').slice(0, 14)}-${Math.random().toString(36).slice(2, 6)}`, alg: 'EdDSA', use: 'sig' };
}

function writeSigningKeys(file: string, keys: JWK[]): void {
  mkdirSync(dirname(file), { recursive: true });
  const temporary = `${file}.tmp`;
  writeFileSync(temporary, `${JSON.stringify({ keys }, null, 2)}\n`, { mode: 0o600 });
  renameSync(temporary, file);
}
