import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The metadata key that carries a caller's API key on every call. */
export const API_KEY_METADATA = 'x-api-key';

/** Default per-call deadline for unary calls that set none. */
export const DEFAULT_DEADLINE_MS = 15_000;

/** Largest message either side sends: the service's own cap (parameters alone are capped at 64 KiB). */
export const MAX_MESSAGE_BYTES = 256 * 1024;

/** How @grpc/proto-loader decodes messages: camelCase fields, enums as names, every field present. */
export const protoLoaderOptions = { keepCase: false, longs: String, enums: String, defaults: true, oneofs: true } as const;

/** The proto files of `approvals.v1`, relative to the proto root. */
export const protoFiles = ['approvals/v1/intake.proto', 'approvals/v1/decisions.proto', 'approvals/v1/audit.proto'] as const;

/**
 * Finds the `approvals.v1` protos: shipped beside the package's dist/ when installed from npm,
 * at the repository's proto/ when run from source.
 */
export function findProtoRoot(from: string = __dirname): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const candidate = join(dir, 'proto');
    if (existsSync(join(candidate, 'approvals', 'v1', 'intake.proto'))) return candidate;
    if (dirname(dir) === dir) throw new Error(`cannot find proto/approvals/v1 above ${from}`);
  }
}

/** A loaded service: a client constructor that also carries the definition servers implement. */
export type ServiceConstructor<Client extends grpc.Client = grpc.Client> = (new (...args: ConstructorParameters<typeof grpc.Client>) => Client) & {
  service: grpc.ServiceDefinition;
};

/** The services of the `approvals.v1` package. */
export interface ApprovalsServices<Intake extends grpc.Client = grpc.Client, Decisions extends grpc.Client = grpc.Client, Audit extends grpc.Client = grpc.Client> {
  IntakeService: ServiceConstructor<Intake>;
  DecisionService: ServiceConstructor<Decisions>;
  AuditService: ServiceConstructor<Audit>;
}

let loaded: ApprovalsServices | undefined;

/** Loads the protos once and returns the `approvals.v1` services. */
export function loadApprovalsServices(): ApprovalsServices {
  if (!loaded) {
    const definition = protoLoader.loadSync([...protoFiles], { ...protoLoaderOptions, includeDirs: [findProtoRoot()] });
    loaded = (grpc.loadPackageDefinition(definition) as unknown as { approvals: { v1: ApprovalsServices } }).approvals.v1;
  }
  return loaded;
}

/** Where each service listens: one address in embedded mode, one per service in distributed mode. */
export interface ServiceAddresses {
  intake: string;
  decisions: string;
  audit: string;
}

/** TLS to the service (its CA), with a client certificate and key for mutual TLS. */
export interface TlsOptions {
  ca: Buffer;
  cert?: Buffer | undefined;
  key?: Buffer | undefined;
}

/** Where and as whom to call. Without `tls` the connection is plaintext: for loopback only. */
export interface ConnectionOptions {
  /** host:port serving every service (embedded mode), or an address per service. */
  address: string | ServiceAddresses;
  /** Sent as `x-api-key` on every call. */
  apiKey?: string | undefined;
  /** Sent as `authorization: Bearer <token>` on every call; a function is asked before each call (token refresh). */
  bearerToken?: string | (() => string) | undefined;
  tls?: TlsOptions | undefined;
  /** Deadline for unary calls that set none (default 15 s); streams get none. */
  deadlineMs?: number | undefined;
  channelOptions?: grpc.ChannelOptions | undefined;
}

/** Clients of the three services over shared channels. */
export interface ServiceClients<Intake extends grpc.Client = grpc.Client, Decisions extends grpc.Client = grpc.Client, Audit extends grpc.Client = grpc.Client> {
  intake: Intake;
  decisions: Decisions;
  audit: Audit;
  /** Closes the channels; calls in flight fail with CANCELLED. */
  close(): void;
}

/** Adds `key: value` to the metadata of every call that has none; `value` may be computed per call. */
export function metadataInterceptor(key: string, value: string | (() => string)): grpc.Interceptor {
  return (options, nextCall) =>
    new grpc.InterceptingCall(nextCall(options), {
      start(metadata, listener, next) {
        if (metadata.get(key).length === 0) metadata.set(key, typeof value === 'function' ? value() : value);
        next(metadata, listener);
      },
    });
}

/** Gives unary calls without a deadline one of `ms`; a server stream (WatchAction) may run for long. */
export function defaultDeadlineInterceptor(ms: number): grpc.Interceptor {
  return (options, nextCall) => {
    const needsDeadline = options.deadline === undefined && !options.method_definition.responseStream;
    return new grpc.InterceptingCall(nextCall(needsDeadline ? { ...options, deadline: Date.now() + ms } : options));
  };
}

/**
 * Connects to the intake, decision and audit services, one channel per distinct address. No
 * connection is made until the first call.
 */
export function connectServices(options: ConnectionOptions): ServiceClients {
  const services = loadApprovalsServices();
  const credentials = options.tls
    ? grpc.credentials.createSsl(options.tls.ca, options.tls.key ?? null, options.tls.cert ?? null)
    : grpc.credentials.createInsecure();
  const addresses: ServiceAddresses =
    typeof options.address === 'string' ? { intake: options.address, decisions: options.address, audit: options.address } : options.address;
  const channels = new Map<string, grpc.Channel>();
  // Insecure channels refuse call credentials, so keys and tokens travel through interceptors.
  const interceptors = [defaultDeadlineInterceptor(options.deadlineMs ?? DEFAULT_DEADLINE_MS)];
  if (options.apiKey) interceptors.push(metadataInterceptor(API_KEY_METADATA, options.apiKey));
  const token = options.bearerToken;
  if (token) interceptors.push(metadataInterceptor('authorization', typeof token === 'function' ? () => `Bearer ${token()}` : `Bearer ${token}`));
  const clientOptions = (address: string): grpc.ClientOptions => {
    let channel = channels.get(address);
    if (!channel) {
      channel = new grpc.Channel(address, credentials, {
        'grpc.max_receive_message_length': MAX_MESSAGE_BYTES,
        'grpc.max_send_message_length': MAX_MESSAGE_BYTES,
        // A restarted service is found within a second (grpc-js backs off up to 120 s by default,
        // far longer than the SDK's retries wait; calls fail at once while it backs off).
        'grpc.initial_reconnect_backoff_ms': 200,
        'grpc.max_reconnect_backoff_ms': 1_000,
        ...options.channelOptions,
      });
      channels.set(address, channel);
    }
    return { channelOverride: channel, interceptors };
  };
  return {
    intake: new services.IntakeService(addresses.intake, credentials, clientOptions(addresses.intake)),
    decisions: new services.DecisionService(addresses.decisions, credentials, clientOptions(addresses.decisions)),
    audit: new services.AuditService(addresses.audit, credentials, clientOptions(addresses.audit)),
    close: () => {
      for (const channel of channels.values()) channel.close();
    },
  };
}

/** True for the errors grpc-js calls fail with (they carry a status code and details). */
export function isServiceError(error: unknown): error is grpc.ServiceError {
  return (
    error instanceof Error &&
    typeof (error as Partial<grpc.ServiceError>).code === 'number' &&
    typeof (error as Partial<grpc.ServiceError>).details === 'string' &&
    (error as Partial<grpc.ServiceError>).metadata instanceof grpc.Metadata
  );
}

/** The name of a gRPC status code, e.g. 14 -> 'UNAVAILABLE'. */
export function statusName(code: grpc.status): string {
  return grpc.status[code] ?? `STATUS_${code}`;
}
