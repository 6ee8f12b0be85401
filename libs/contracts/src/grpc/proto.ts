import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * Options for @grpc/proto-loader. They must match the flags in scripts/gen-proto.mjs, so the
 * generated types describe exactly the objects the loader produces at run time.
 */
export const protoLoaderOptions = {
  keepCase: false,
  longs: String,
  enums: String,
  defaults: true,
  oneofs: true,
} as const;

export const grpcPackage = 'approvals.v1';

/** The proto files, relative to the proto root. */
export const protoFiles = ['approvals/v1/intake.proto', 'approvals/v1/decisions.proto', 'approvals/v1/audit.proto'] as const;

/** Finds the repository's proto/ folder from source (libs/...) or compiled (dist/libs/...) code. */
export function protoRoot(from: string = __dirname): string {
  let dir = from;
  for (;;) {
    const candidate = join(dir, 'proto');
    if (existsSync(join(candidate, 'approvals', 'v1', 'intake.proto'))) return candidate;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`cannot find proto/approvals/v1 above ${from}`);
    dir = parent;
  }
}

/** Limits shared by the server and the clients. */
export const grpcLimits = {
  /** Whole-message cap; the parameters field alone is capped at 64 KiB by validation. */
  maxReceiveMessageBytes: 256 * 1024,
} as const;
