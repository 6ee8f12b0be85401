import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { GrantKeyRing } from '@approvals/grants';
import { CheckpointKeyRing } from '@approvals/keys';
import { freePort, repoRoot, testPostgresUrl } from '@approvals/testing';

jest.setTimeout(180_000);

// Migrations as an explicit step (issue 19): `approvals migrate` brings the PostgreSQL schemas up
// to date; a replica started with APPROVALS_MIGRATIONS=explicit changes no schema, waits (not
// ready) while one is behind, and refuses to start against one newer than it knows.
const schema = `mig_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
const url = testPostgresUrl();
const dir = mkdtempSync(join(tmpdir(), 'approvals-migrate-'));
const env: Record<string, string> = {
  APPROVALS_LEDGER_STORE: 'postgres',
  APPROVALS_POSTGRES_URL: url,
  APPROVALS_POSTGRES_SCHEMA: schema,
  APPROVALS_READ_MODEL_STORE: 'postgres',
  APPROVALS_READ_MODEL_SCHEMA: `${schema}_read_model`,
  APPROVALS_DATA_DIR: dir,
  APPROVALS_GRANT_KEYS_FILE: join(dir, 'keys', 'grant.json'),
  APPROVALS_CHECKPOINT_KEYS_FILE: join(dir, 'keys', 'checkpoint.json'),
  APPROVALS_KAFKA_NAMESPACE: `mig-${schema}`,
};
const schemas = [schema, `${schema}_read_model`, `${schema}_state`];
const running: ChildProcess[] = [];

async function sql<T extends Record<string, unknown>>(text: string): Promise<T[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(text)).rows;
  } finally {
    await client.end();
  }
}

async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [join(repoRoot(), 'dist', 'apps', 'cli', 'src', 'main.js'), ...args], {
      env: { ...process.env, ...env },
      timeout: 60_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

/** The decision service of distributed mode, started as an operator's replica would be. */
function decision(httpPort: number): { process: ChildProcess; output: () => string; exited: Promise<number | null> } {
  const child = spawn(process.execPath, [join(repoRoot(), 'dist', 'apps', 'host', 'src', 'service-main.js'), 'decision'], {
    env: { ...process.env, ...env, APPROVALS_MIGRATIONS: 'explicit', APPROVALS_HTTP_PORT: String(httpPort), APPROVALS_KAFKA_BROKERS: process.env['KAFKA_BROKERS']! },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.push(child);
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return { process: child, output: () => output, exited: new Promise((resolve) => child.once('exit', (code) => resolve(code))) };
}

async function until(probe: () => Promise<boolean> | boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

const ready = (port: number) =>
  fetch(`http://127.0.0.1:${port}/readyz`, { signal: AbortSignal.timeout(2000) }).then(
    (response) => response.status === 200,
    () => false,
  );

beforeAll(async () => {
  await GrantKeyRing.open({ keyFile: env['APPROVALS_GRANT_KEYS_FILE']!, generateIfMissing: true, issuer: 'approvals', audience: 'approvals-executor', ttlSeconds: 300 });
  await CheckpointKeyRing.open({ keyFile: env['APPROVALS_CHECKPOINT_KEYS_FILE']!, generateIfMissing: true, origin: 'approvals.local/ledger' });
});

afterAll(async () => {
  for (const child of running) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  for (const name of schemas) await sql(`DROP SCHEMA IF EXISTS "${name}" CASCADE`);
  rmSync(dir, { recursive: true, force: true });
});

describe('approvals migrate, and replicas that only check their schemas', () => {
  it('reports unmigrated schemas with --check, and changes nothing', async () => {
    const checked = await cli('migrate', '--check');
    expect(checked.code).toBe(1);
    expect(checked.stderr).toMatch(new RegExp(`ledger at postgres://[^ ]+ \\(schema ${schema}\\): the ledger schema "${schema}" is at version 0, and this program needs version \\d+: run the migrations first`));
    expect(checked.stderr).toContain('audit read model');
    expect(checked.stderr).toContain('service state');
    expect(await sql(`SELECT nspname FROM pg_namespace WHERE nspname LIKE '${schema}%'`)).toEqual([]);
  });

  it('keeps a replica not ready while its schema is behind; it starts once `approvals migrate` has run', async () => {
    const port = await freePort();
    const replica = decision(port);
    await until(() => replica.output().includes('run the migrations first'), 60_000, 'the replica to say what it waits for');
    expect(await ready(port)).toBe(false);
    expect(await sql(`SELECT nspname FROM pg_namespace WHERE nspname LIKE '${schema}%'`)).toEqual([]);

    const migrated = await cli('migrate');
    expect(migrated.code).toBe(0);
    expect(migrated.stdout).toMatch(/ledger at .*: applied migrations 1, 2, 3, \d/);
    expect(migrated.stdout).toMatch(/audit read model at .*: applied migration/);
    expect(migrated.stdout).toMatch(/service state at .*: applied migrations 1, 2/);

    await until(() => ready(port), 60_000, 'the replica to become ready');
    const again = await cli('migrate', '--json');
    expect(again.code).toBe(0);
    expect((JSON.parse(again.stdout) as { schemas: { applied: number[] }[] }).schemas.map((s) => s.applied)).toEqual([[], [], []]);
    expect((await cli('migrate', '--check')).code).toBe(0);
    replica.process.kill('SIGTERM');
    expect(await replica.exited).toBe(0);
  });

  it('refuses to start against a schema newer than it knows', async () => {
    await sql(`INSERT INTO "${schema}_state".service_state_migrations (version, description) VALUES (99, 'from a newer program')`);
    const replica = decision(await freePort());
    const code = await Promise.race([replica.exited, new Promise<'still running'>((resolve) => setTimeout(() => resolve('still running'), 60_000))]);
    expect(code).not.toBe(0);
    expect(code).not.toBe('still running');
    expect(replica.output()).toContain(`the service state schema "${schema}_state" is at version 99, newer than this program knows`);
  });
});
