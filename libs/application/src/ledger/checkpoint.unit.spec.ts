import { createPrivateKey, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { CheckpointFormatError, openCheckpoint, parseVerifierKey, signCheckpoint, signatureLine, verifierKeyText } from './checkpoint';
import { leafHash } from './merkle';

// The reference vector of golang.org/x/mod/sumdb/note, which defined the signed-note format C2SP
// standardised: Ed25519 signatures are deterministic, so ours must match it byte for byte.
const peterSeed = Buffer.from('AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz', 'base64').subarray(1);
const peterKey = createPrivateKey({ key: Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), peterSeed]), format: 'der', type: 'pkcs8' });
const peterVerifier = 'PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW';
const peterText = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n";

const rootHash = leafHash(Buffer.from('root'));
const ledgerKey = () => generateKeyPairSync('ed25519').privateKey;

describe('signed notes (C2SP signed-note)', () => {
  it('signs and names keys exactly as the reference implementation does', () => {
    expect(signatureLine(peterText, 'PeterNeumann', peterKey)).toBe(
      '\u2014 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n',
    );
    expect(verifierKeyText('PeterNeumann', createPublicKey(peterKey))).toBe(peterVerifier);
    expect(parseVerifierKey(peterVerifier).keyId.toString('hex')).toBe('c74f20a3');
    // transparency-dev/formats' test key, whose base64 holds a "+".
    expect(parseVerifierKey('TEST+7997405c+AQcC+FTVKf0jlTdHDY3rbevmnKxxPjigCXlVtGe6RIr6').name).toBe('TEST');
  });

  it('refuses verifier keys that are malformed or whose id is not theirs', () => {
    expect(() => parseVerifierKey('PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW')).toThrow('the key id c74f20a4 is not the id of that key (c74f20a3)');
    expect(() => parseVerifierKey('Peter Neumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW')).toThrow(CheckpointFormatError);
    expect(() => parseVerifierKey('PeterNeumann+c74f20a3+AhpjMmQ=')).toThrow('only Ed25519 verifier keys');
    expect(() => parseVerifierKey('just-a-name')).toThrow('a verifier key is <name>+<key id>+<base64 key>');
  });
});

describe('checkpoints (C2SP tlog-checkpoint)', () => {
  it('round-trips: origin, size, root hash and extensions, verified by the key that signed', () => {
    const key = ledgerKey();
    const note = signCheckpoint({ origin: 'approvals.test/ledger', size: 1234, rootHash, extensions: ['time 2026-12-07T12:00:00Z'] }, [{ name: 'approvals.test/ledger', key }]);

    expect(note).toBe(`approvals.test/ledger\n1234\n${rootHash.toString('base64')}\ntime 2026-12-07T12:00:00Z\n\n\u2014 approvals.test/ledger ${note.split(' ').pop()}`);
    const opened = openCheckpoint(note, [parseVerifierKey(verifierKeyText('approvals.test/ledger', createPublicKey(key)))]);
    expect(opened.checkpoint).toEqual({ origin: 'approvals.test/ledger', size: 1234, rootHash, extensions: ['time 2026-12-07T12:00:00Z'] });
    expect(opened.verifiedBy).toEqual(['approvals.test/ledger']);
  });

  it('refuses a changed size, root or origin, and a note no known key signed', () => {
    const key = ledgerKey();
    const verifier = parseVerifierKey(verifierKeyText('log', createPublicKey(key)));
    const note = signCheckpoint({ origin: 'log', size: 10, rootHash }, [{ name: 'log', key }]);

    expect(() => openCheckpoint(note.replace('\n10\n', '\n11\n'), [verifier])).toThrow(/the signature of log \(key [0-9a-f]{8}\) does not verify/);
    expect(() => openCheckpoint(note.replace(rootHash.toString('base64'), leafHash(Buffer.from('x')).toString('base64')), [verifier])).toThrow('does not verify');
    expect(() => openCheckpoint(note, [parseVerifierKey(verifierKeyText('log', createPublicKey(ledgerKey())))])).toThrow('no signature by a known key');
    expect(() => openCheckpoint(note.replace('\n\n', '\n'), [verifier])).toThrow(CheckpointFormatError);
  });

  it("ignores other parties' signatures, such as a witness's cosignature", () => {
    const [log, witness] = [ledgerKey(), ledgerKey()];
    const note = signCheckpoint({ origin: 'log', size: 3, rootHash }, [
      { name: 'witness.example', key: witness },
      { name: 'log', key: log },
    ]);
    expect(openCheckpoint(note, [parseVerifierKey(verifierKeyText('log', createPublicKey(log)))]).verifiedBy).toEqual(['log']);
  });
});
