import { ConfigError, loadConfig } from './config';

const load = (env: Record<string, string>) => loadConfig(env, '/srv/approvals');

describe('loadConfig', () => {
  it('has defaults for everything: embedded ledger in the data directory, local broker', () => {
    const config = load({});
    expect(config.ledger).toEqual({ store: 'embedded', file: '/srv/approvals/.data/ledger.sqlite' });
    expect(config.readModel).toEqual({ store: 'embedded', file: '/srv/approvals/.data/audit-read-model.sqlite' });
    expect(config.kafka).toEqual({ brokers: ['127.0.0.1:9092'], namespace: '' });
    expect(config.commandTimeoutMs).toBe(10_000);
  });

  it('selects the PostgreSQL ledger with its connection string and schema', () => {
    const config = load({ APPROVALS_LEDGER_STORE: 'postgres', APPROVALS_POSTGRES_URL: 'postgres://app@db:5432/ledger', APPROVALS_POSTGRES_SCHEMA: 'prod_ledger' });
    expect(config.ledger).toEqual({ store: 'postgres', connectionString: 'postgres://app@db:5432/ledger', schema: 'prod_ledger', migrations: 'apply' });
  });

  it('keeps the state replicas share where the ledger is, in a schema beside it, unless told otherwise', () => {
    const ledger = { APPROVALS_LEDGER_STORE: 'postgres', APPROVALS_POSTGRES_URL: 'postgres://app@db:5432/ledger', APPROVALS_POSTGRES_SCHEMA: 'prod_ledger' };
    expect(load(ledger).state).toEqual({ store: 'postgres', connectionString: 'postgres://app@db:5432/ledger', schema: 'prod_ledger_state', migrations: 'apply' });
    expect(load({ ...ledger, APPROVALS_STATE_SCHEMA: 'shared' }).state).toMatchObject({ schema: 'shared' });
    expect(load({ ...ledger, APPROVALS_STATE_STORE: 'embedded' }).state).toEqual({ store: 'embedded', notifierFile: '/srv/approvals/.data/notifier.sqlite' });
    expect(load({}).state).toEqual({ store: 'embedded', notifierFile: '/srv/approvals/.data/notifier.sqlite' });
    // A KurrentDB ledger keeps its log in PostgreSQL when there is one: the shared state goes there too.
    expect(load({ APPROVALS_LEDGER_STORE: 'kurrentdb', APPROVALS_KURRENTDB_CONNECTION_STRING: 'kurrentdb://db:2113?tls=false', APPROVALS_POSTGRES_URL: 'postgres://app@db:5432/x' }).state).toMatchObject({ store: 'postgres', schema: 'approvals_state' });
    expect(() => load({ APPROVALS_STATE_STORE: 'postgres' })).toThrow(new ConfigError('invalid configuration:\n  APPROVALS_POSTGRES_URL is required when APPROVALS_STATE_STORE=postgres'));
    expect(load(ledger).leaseTtlMs).toBe(15_000);
    expect(() => load({ APPROVALS_LEASE_TTL_MS: '10' })).toThrow(/APPROVALS_LEASE_TTL_MS="10": must be at least 1000/);
  });

  it('with APPROVALS_MIGRATIONS=explicit, has every PostgreSQL store only verify its schema', () => {
    const config = load({
      APPROVALS_LEDGER_STORE: 'postgres',
      APPROVALS_READ_MODEL_STORE: 'postgres',
      APPROVALS_POSTGRES_URL: 'postgres://app@db:5432/ledger',
      APPROVALS_MIGRATIONS: 'explicit',
    });
    expect([config.ledger, config.readModel, config.state].map((spec) => ('migrations' in spec ? spec.migrations : undefined))).toEqual(['verify', 'verify', 'verify']);
    expect(() => load({ APPROVALS_MIGRATIONS: 'never' })).toThrow(/APPROVALS_MIGRATIONS="never": must be on-start or explicit/);
  });

  it('selects the PostgreSQL read model on the same server, in a schema of its own', () => {
    const config = load({ APPROVALS_READ_MODEL_STORE: 'postgres', APPROVALS_POSTGRES_URL: 'postgres://app@db:5432/ledger' });
    expect(config.readModel).toEqual({ store: 'postgres', connectionString: 'postgres://app@db:5432/ledger', schema: 'approvals_read_model', migrations: 'apply' });
    expect(config.ledger.store).toBe('embedded');
    expect(() => load({ APPROVALS_READ_MODEL_STORE: 'postgres' })).toThrow(
      new ConfigError('invalid configuration:\n  APPROVALS_POSTGRES_URL is required when APPROVALS_READ_MODEL_STORE=postgres'),
    );
    expect(() => load({ APPROVALS_READ_MODEL_STORE: 'mongo' })).toThrow(/APPROVALS_READ_MODEL_STORE="mongo": must be embedded or postgres/);
  });

  it('keeps the log of a KurrentDB ledger in PostgreSQL when there is one, else in a file beside the data', () => {
    const kdb = 'kurrentdb://db:2113?tls=false';
    expect(load({ APPROVALS_LEDGER_STORE: 'kurrentdb', APPROVALS_KURRENTDB_CONNECTION_STRING: kdb }).ledger).toEqual({
      store: 'kurrentdb',
      connectionString: kdb,
      log: { store: 'embedded', file: '/srv/approvals/.data/ledger-log.sqlite' },
    });
    expect(load({ APPROVALS_LEDGER_STORE: 'kurrentdb', APPROVALS_KURRENTDB_CONNECTION_STRING: kdb, APPROVALS_POSTGRES_URL: 'postgres://app@db:5432/x' }).ledger).toEqual({
      store: 'kurrentdb',
      connectionString: kdb,
      log: { store: 'postgres', connectionString: 'postgres://app@db:5432/x', schema: 'approvals_ledger_log', migrations: 'apply' },
    });
    expect(load({ APPROVALS_LEDGER_STORE: 'kurrentdb', APPROVALS_KURRENTDB_CONNECTION_STRING: kdb, APPROVALS_LEDGER_LOG: 'off' }).ledger).toEqual({ store: 'kurrentdb', connectionString: kdb });
  });

  it('names the missing connection setting of the chosen store', () => {
    expect(() => load({ APPROVALS_LEDGER_STORE: 'postgres' })).toThrow(new ConfigError('invalid configuration:\n  APPROVALS_POSTGRES_URL is required when APPROVALS_LEDGER_STORE=postgres'));
    expect(() => load({ APPROVALS_LEDGER_STORE: 'kurrentdb' })).toThrow(/APPROVALS_KURRENTDB_CONNECTION_STRING is required when APPROVALS_LEDGER_STORE=kurrentdb/);
  });

  it('names each bad setting with its value and what is wrong', () => {
    let error: unknown;
    try {
      load({ APPROVALS_LEDGER_STORE: 'mongo', APPROVALS_POSTGRES_URL: 'mysql://x', APPROVALS_POSTGRES_SCHEMA: 'Bad-Name', APPROVALS_KAFKA_BROKERS: 'localhost', APPROVALS_KAFKA_NAMESPACE: 'a b' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message).toContain('APPROVALS_LEDGER_STORE="mongo": must be embedded, postgres or kurrentdb');
    expect(message).toContain('APPROVALS_POSTGRES_URL="mysql://x": must be a postgres:// connection string');
    expect(message).toContain('APPROVALS_POSTGRES_SCHEMA="Bad-Name": must be a lower-case identifier');
    expect(message).toContain('APPROVALS_KAFKA_BROKERS="localhost": must list brokers as host:port');
    expect(message).toContain('APPROVALS_KAFKA_NAMESPACE="a b": may only hold letters, digits');
  });

  it('bounds the write-ahead logs and the HTTP requests per client, trusting no proxy unless told', () => {
    expect(load({})).toMatchObject({ sqliteWalMaxBytes: 64 * 2 ** 20, httpRateLimitPerMinute: 600, httpTrustProxy: false });
    expect(load({ APPROVALS_SQLITE_WAL_MAX_MB: '8', APPROVALS_HTTP_RATE_LIMIT: '0' })).toMatchObject({ sqliteWalMaxBytes: 8 * 2 ** 20, httpRateLimitPerMinute: 0 });
    expect(load({ APPROVALS_HTTP_TRUST_PROXY: '2' }).httpTrustProxy).toBe(2);
    expect(load({ APPROVALS_HTTP_TRUST_PROXY: 'loopback, 10.0.0.0/8, fd00::/8' }).httpTrustProxy).toEqual(['loopback', '10.0.0.0/8', 'fd00::/8']);
    expect(() => load({ APPROVALS_HTTP_TRUST_PROXY: '10.0.0.0/33' })).toThrow(/APPROVALS_HTTP_TRUST_PROXY="10.0.0.0\/33": must be a number of hops or addresses\/subnets of proxies .*"10.0.0.0\/33" is none/);
    expect(() => load({ APPROVALS_HTTP_TRUST_PROXY: 'everyone' })).toThrow(/APPROVALS_HTTP_TRUST_PROXY/);
    expect(() => load({ APPROVALS_HTTP_RATE_LIMIT: '-1' })).toThrow(/APPROVALS_HTTP_RATE_LIMIT="-1": must be 0 \(off\) or more/);
    expect(() => load({ APPROVALS_SQLITE_WAL_MAX_MB: '0' })).toThrow(/APPROVALS_SQLITE_WAL_MAX_MB="0": must be positive/);
  });

  it('reads a broker list', () => {
    expect(load({ APPROVALS_KAFKA_BROKERS: 'k1:9092, k2:9093' }).kafka.brokers).toEqual(['k1:9092', 'k2:9093']);
  });

  it('accepts demo API keys by default, and JWTs or mutual TLS when fully configured', () => {
    expect(load({}).auth).toEqual({ apiKeys: true });
    expect(load({}).grantKeys).toEqual({ file: '/srv/approvals/.data/keys/grant-signing-key.json', generateIfMissing: true });
    const jwt = load({
      APPROVALS_AUTH: 'jwt',
      APPROVALS_JWT_ISSUER: 'https://idp.example',
      APPROVALS_JWT_AUDIENCE: 'approvals',
      APPROVALS_JWT_JWKS_URL: 'https://idp.example/jwks.json',
    });
    expect(jwt.auth).toEqual({
      apiKeys: false,
      jwt: { issuer: 'https://idp.example', audience: 'approvals', algorithms: ['EdDSA', 'ES256', 'RS256'], clockSkewSeconds: 60, jwksUrl: 'https://idp.example/jwks.json' },
    });
    const mtls = load({
      APPROVALS_AUTH: 'mtls,api-key',
      APPROVALS_GRPC_TLS_CERT: 'tls/server.pem',
      APPROVALS_GRPC_TLS_KEY: 'tls/server.key',
      APPROVALS_GRPC_TLS_CLIENT_CA: 'tls/ca.pem',
      APPROVALS_MTLS_TRUST_DOMAIN: 'approvals.example.com',
    });
    expect(mtls.auth).toEqual({ apiKeys: true, mtls: { trustDomain: 'approvals.example.com' } });
    expect(mtls.grpcTls).toEqual({ certFile: '/srv/approvals/tls/server.pem', keyFile: '/srv/approvals/tls/server.key', clientCaFile: '/srv/approvals/tls/ca.pem' });
  });

  it('refuses incomplete or unsafe authentication settings, naming them', () => {
    expect(() => load({ APPROVALS_AUTH: 'password' })).toThrow(/APPROVALS_AUTH="password": must list any of api-key, jwt and mtls; unknown: password/);
    expect(() => load({ APPROVALS_AUTH: 'jwt', APPROVALS_JWT_JWKS_FILE: 'jwks.json', APPROVALS_JWT_AUDIENCE: 'a' })).toThrow(/APPROVALS_JWT_ISSUER is required/);
    expect(() => load({ APPROVALS_AUTH: 'jwt', APPROVALS_JWT_ISSUER: 'i', APPROVALS_JWT_AUDIENCE: 'a' })).toThrow(/exactly one of APPROVALS_JWT_JWKS_FILE and APPROVALS_JWT_JWKS_URL/);
    expect(() => load({ APPROVALS_JWT_ALGORITHMS: 'RS256,HS256' })).toThrow(/APPROVALS_JWT_ALGORITHMS="RS256,HS256": .*refused: HS256/);
    expect(() => load({ APPROVALS_JWT_ALGORITHMS: 'none' })).toThrow(/refused: none/);
    expect(() => load({ APPROVALS_AUTH: 'mtls' })).toThrow(/APPROVALS_AUTH=mtls needs/);
    expect(() => load({ APPROVALS_GRPC_TLS_CERT: 'server.pem' })).toThrow(/go together/);
  });

  it('reads each channel plugin\'s settings, and only for the channels that are configured', () => {
    expect(load({}).channels).toEqual({});
    const config = load({
      APPROVALS_SLACK_BOT_TOKEN: 'xoxb-1-2-3',
      APPROVALS_SLACK_SIGNING_SECRET: 's'.repeat(32),
      APPROVALS_TEAMS_WORKFLOW_URL: 'https://prod.example.com/workflows/1',
      APPROVALS_WEBHOOKS_FILE: 'config/webhooks.json',
    });
    expect(config.channels).toEqual({
      slack: { botToken: 'xoxb-1-2-3', signingSecret: 's'.repeat(32), defaultChannel: '#approvals' },
      teams: { workflowUrl: 'https://prod.example.com/workflows/1' },
      webhook: { file: '/srv/approvals/config/webhooks.json' },
    });
    expect(load({ APPROVALS_TEAMS_APP_ID: 'app', APPROVALS_TEAMS_APP_PASSWORD: 'pw', APPROVALS_TEAMS_CONVERSATIONS_FILE: 'teams.json' }).channels.teams).toEqual({
      bot: { appId: 'app', appPassword: 'pw', conversationsFile: '/srv/approvals/teams.json' },
    });
    expect(() => load({ APPROVALS_SLACK_BOT_TOKEN: 'xoxb-1' })).toThrow(
      new ConfigError('invalid configuration:\n  APPROVALS_SLACK_BOT_TOKEN and APPROVALS_SLACK_SIGNING_SECRET go together'),
    );
    expect(() => load({ APPROVALS_TEAMS_APP_PASSWORD: 'pw' })).toThrow(/APPROVALS_TEAMS_APP_ID and APPROVALS_TEAMS_APP_PASSWORD go together/);
    expect(() => load({ APPROVALS_SLACK_BOT_TOKEN: 'token', APPROVALS_TEAMS_WORKFLOW_URL: 'nope' })).toThrow(
      /APPROVALS_SLACK_BOT_TOKEN="token": must be a Slack bot token[\s\S]*APPROVALS_TEAMS_WORKFLOW_URL="nope": must be a URL/,
    );
  });
});
