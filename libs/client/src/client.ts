import type * as grpc from '@grpc/grpc-js';
import type {
  AuditServiceClient,
  AuditServiceDefinition,
  DecisionServiceClient,
  DecisionServiceDefinition,
  IntakeServiceClient,
  IntakeServiceDefinition,
} from '@approvals/contracts';
import type { ConnectionOptions, ServiceClients } from '@approvals/sdk';
import { connectServices, loadApprovalsServices } from '@approvals/sdk';

export { API_KEY_METADATA, DEFAULT_DEADLINE_MS, defaultDeadlineInterceptor, metadataInterceptor, type ServiceAddresses } from '@approvals/sdk';

/** A loaded service: a client constructor that also carries the definition servers implement. */
export type ServiceConstructor<Client extends grpc.Client, Definition extends grpc.ServiceDefinition> = (new (
  ...args: ConstructorParameters<typeof grpc.Client>
) => Client) & { service: Definition };

/** The `approvals.v1` package as @grpc/proto-loader loads it, typed by the generated ProtoGrpcType. */
export interface ApprovalsPackage {
  IntakeService: ServiceConstructor<IntakeServiceClient, IntakeServiceDefinition>;
  DecisionService: ServiceConstructor<DecisionServiceClient, DecisionServiceDefinition>;
  AuditService: ServiceConstructor<AuditServiceClient, AuditServiceDefinition>;
}

/** The SDK's loaded `approvals.v1` services, typed by the generated code. */
export const loadApprovalsPackage = (): ApprovalsPackage => loadApprovalsServices() as unknown as ApprovalsPackage;

/** Where and as whom a client talks to the approvals services (the SDK's connection options). */
export type ApprovalsClientOptions = ConnectionOptions;

/** Typed clients for the three services, sharing one channel per address. */
export type ApprovalsClient = ServiceClients<IntakeServiceClient, DecisionServiceClient, AuditServiceClient>;

/**
 * The SDK's connection, typed by the generated clients so that `unary(client.intake,
 * 'RequestAction', …)` checks the request and response against the protos. No connection is made
 * until the first call.
 */
export const createApprovalsClient = (options: ApprovalsClientOptions): ApprovalsClient => connectServices(options) as ApprovalsClient;
