/** The five services; in distributed mode each runs as its own process. */
export const serviceNames = ['intake', 'policy-evaluator', 'decision', 'notifier', 'audit-projector'] as const;
export type ServiceName = (typeof serviceNames)[number];

export const isServiceName = (name: string): name is ServiceName => (serviceNames as readonly string[]).includes(name);

/** Services with a gRPC API of their own (the others talk only over the bus). */
export const grpcServices: readonly ServiceName[] = ['intake', 'notifier', 'audit-projector'];
