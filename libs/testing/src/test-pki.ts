import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** PEM files of one certificate and its key. */
export interface IssuedCertificate {
  certFile: string;
  keyFile: string;
  cert: Buffer;
  key: Buffer;
}

/**
 * A throwaway certificate authority for tests of mutual TLS, made with the openssl command line
 * (ECDSA P-256 keys, one-day certificates): a server certificate for 127.0.0.1 and localhost, and
 * client certificates whose URI SAN carries a SPIFFE-style identity.
 */
export class TestPki {
  readonly ca: IssuedCertificate;

  private constructor(
    readonly dir: string,
    private readonly name: string,
  ) {
    const key = join(dir, `${name}-ca.key`);
    const cert = join(dir, `${name}-ca.pem`);
    openssl(['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', key]);
    openssl(['req', '-x509', '-new', '-key', key, '-sha256', '-days', '1', '-subj', `/CN=${name} test CA`, '-out', cert]);
    this.ca = read(cert, key);
  }

  static create(name = 'approvals'): TestPki {
    return new TestPki(mkdtempSync(join(tmpdir(), `approvals-pki-${name}-`)), name);
  }

  /** A server certificate for 127.0.0.1 and localhost. */
  server(): IssuedCertificate {
    return this.issue('server', 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth');
  }

  /** A client certificate with `uri` (e.g. spiffe://approvals.test/agent/agent-ops) as its URI SAN. */
  client(label: string, uri: string): IssuedCertificate {
    return this.issue(label, `subjectAltName=URI:${uri}\nextendedKeyUsage=clientAuth`);
  }

  dispose(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }

  private issue(label: string, extensions: string): IssuedCertificate {
    const base = join(this.dir, `${this.name}-${label}`);
    openssl(['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', `${base}.key`]);
    openssl(['req', '-new', '-key', `${base}.key`, '-subj', `/CN=${label}`, '-out', `${base}.csr`]);
    writeFileSync(`${base}.ext`, `${extensions}\n`);
    openssl(['x509', '-req', '-in', `${base}.csr`, '-CA', this.ca.certFile, '-CAkey', this.ca.keyFile, '-CAcreateserial', '-days', '1', '-sha256', '-extfile', `${base}.ext`, '-out', `${base}.pem`]);
    return read(`${base}.pem`, `${base}.key`);
  }
}

function openssl(args: string[]): void {
  execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

function read(certFile: string, keyFile: string): IssuedCertificate {
  return { certFile, keyFile, cert: readFileSync(certFile), key: readFileSync(keyFile) };
}
