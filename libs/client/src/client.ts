import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import {
  grpcLimits,
  protoFiles,
  protoLoaderOptions,
  protoRoot,
  type AuditServiceClient,
  type AuditServiceDefinition,
  type DecisionServiceClient,
  type DecisionServiceDefinition,
  type IntakeServiceClient,
  type IntakeServiceDefinition,
} from '@approvals/contracts';

/** The metadata key that carries a caller's API key on every call. */
export const API_KEY_METADATA = 'x-api-key';

/** Default per-call deadline for unary calls that set none. */
export const DEFAULT_DEADLINE_MS = 15_000;

/** A loaded service: a client constructor that also carries the definition servers implement. */
export type ServiceConstructor<Client extends grpc.Client, Definition extends grpc.ServiceDefinition> = (new (
  ...args: ConstructorParameters<typeof grpc.Client>
) => Client) & { service: Definition };

/** The `approvals.v1` package as @grpc/proto-loader loads it (the services of the generated ProtoGrpcType). */
export interface ApprovalsPackage {
  IntakeService: ServiceConstructor<IntakeServiceClient, IntakeServiceDefinition>;
  DecisionService: ServiceConstructor<DecisionServiceClient, DecisionServiceDefinition>;
  AuditService: ServiceConstructor<AuditServiceClient, AuditServiceDefinition>;
}

let loaded: ApprovalsPackage | undefined;

/** Loads the repository's protos once (same options as the generated types) and returns `approvals.v1`. */
export function loadApprovalsPackage(): ApprovalsPackage {
  if (!loaded) {
    const definition = protoLoader.loadSync([...protoFiles], { ...protoLoaderOptions, includeDirs: [protoRoot()] });
    const root = grpc.loadPackageDefinition(definition) as unknown as { approvals: { v1: ApprovalsPackage } };
    loaded = root.approvals.v1;
  }
  return loaded;
}

/** Where each service listens: one address in embedded mode, one per service in distributed mode. */
export interface ServiceAddresses {
  intake: string;
  decisions: string;
  audit: string;
}

/** Where and as whom a client talks to the approvals services. */
export interface ApprovalsClientOptions {
  /** host:port, e.g. 127.0.0.1:50051, serving every service (embedded), or an address per service. */
  address: string | ServiceAddresses;
  /** Sent as `x-api-key` metadata on every call unless the call's own metadata already has one. */
  apiKey?: string | undefined;
  /** Sent as `authorization: Bearer <token>` on every call unless the call's own metadata already has one. */
  bearerToken?: string | undefined;
  /** TLS to the server (its CA), and a client certificate for mutual TLS; plaintext without it (loopback only). */
  tls?: { ca: Buffer; cert?: Buffer | undefined; key?: Buffer | undefined } | undefined;
  /** Deadline for unary calls that set none; streaming calls get no default deadline. */
  deadlineMs?: number | undefined;
  /** Extra channel options, merged over the shared message limits. */
  channelOptions?: grpc.ChannelOptions | undefined;
}

/** Typed clients for the three services, sharing one channel. */
export interface ApprovalsClient {
  intake: IntakeServiceClient;
  decisions: DecisionServiceClient;
  audit: AuditServiceClient;
  /** Closes the shared channel; calls in flight fail with CANCELLED. */
  close(): void;
}

/** Adds `key: value` to the metadata of every call made through the client that has none. */
export function metadataInterceptor(key: string, value: string): grpc.Interceptor {
  return (options, nextCall) =>
    new grpc.InterceptingCall(nextCall(options), {
      start(metadata, listener, next) {
        if (metadata.get(key).length === 0) metadata.set(key, value);
        next(metadata, listener);
      },
    });
}

/** Adds the API key to the metadata of every call made through the client. */
export const apiKeyInterceptor = (apiKey: string): grpc.Interceptor => metadataInterceptor(API_KEY_METADATA, apiKey);

/** Gives unary calls without a deadline one of `ms`; a server stream (e.g. WatchAction) may run for long. */
export function defaultDeadlineInterceptor(ms: number): grpc.Interceptor {
  return (options, nextCall) => {
    const needsDeadline = options.deadline === undefined && !options.method_definition.responseStream;
    return new grpc.InterceptingCall(nextCall(needsDeadline ? { ...options, deadline: Date.now() + ms } : options));
  };
}

/**
 * Connects to the intake, decision and audit services, over TLS when `tls` is given (else
 * plaintext, for loopback), one channel per distinct address. No connection is made until the
 * first call.
 */
export function createApprovalsClient(options: ApprovalsClientOptions): ApprovalsClient {
  const pkg = loadApprovalsPackage();
  const credentials = options.tls
    ? grpc.credentials.createSsl(options.tls.ca, options.tls.key ?? null, options.tls.cert ?? null)
    : grpc.credentials.createInsecure();
  const addresses: ServiceAddresses =
    typeof options.address === 'string' ? { intake: options.address, decisions: options.address, audit: options.address } : options.address;
  const channels = new Map<string, grpc.Channel>();
  // Insecure channels refuse call credentials, so keys and tokens travel through interceptors.
  const interceptors = [defaultDeadlineInterceptor(options.deadlineMs ?? DEFAULT_DEADLINE_MS)];
  if (options.apiKey) interceptors.push(apiKeyInterceptor(options.apiKey));
  if (options.bearerToken) interceptors.push(metadataInterceptor('authorization', `Bearer ${options.bearerToken}`));
  const clientOptions = (address: string): grpc.ClientOptions => {
    let channel = channels.get(address);
    if (!channel) {
      channel = new grpc.Channel(address, credentials, {
        'grpc.max_receive_message_length': grpcLimits.maxReceiveMessageBytes,
        'grpc.max_send_message_length': grpcLimits.maxReceiveMessageBytes,
        ...options.channelOptions,
      });
      channels.set(address, channel);
    }
    return { channelOverride: channel, interceptors };
  };
  return {
    intake: new pkg.IntakeService(addresses.intake, credentials, clientOptions(addresses.intake)),
    decisions: new pkg.DecisionService(addresses.decisions, credentials, clientOptions(addresses.decisions)),
    audit: new pkg.AuditService(addresses.audit, credentials, clientOptions(addresses.audit)),
    close: () => {
      for (const channel of channels.values()) channel.close();
    },
  };
}
