import { isAscii, isUtf8 } from 'node:buffer';
import type { PackageDefinition } from '@grpc/proto-loader';
import * as protoLoader from '@grpc/proto-loader';
import type { CallHandler, ExecutionContext, NestInterceptor } from '@nestjs/common';
import { Injectable } from '@nestjs/common';
import type { Observable } from 'rxjs';
import { Reader, Root, Type } from 'protobufjs';
import { protoFiles, protoLoaderOptions, protoRoot } from '@approvals/contracts';
import { invalidArgument } from './grpc-errors';

/**
 * Protobuf strings must be UTF-8, but the decoder replaces invalid bytes with U+FFFD and carries
 * on: a justification sent as `ff fe c0 80` would be stored rewritten, and nobody told. The server
 * therefore checks every string field of a request against its raw bytes, and marks a message that
 * holds an invalid one; `RefuseMalformedText` answers it with INVALID_ARGUMENT naming the field.
 */
const malformedField = Symbol('malformedUtf8Field');

/** The proto field (e.g. `resource.id`) of a decoded request whose bytes were not UTF-8, if any. */
export function malformedUtf8Field(message: unknown): string | undefined {
  return message !== null && typeof message === 'object' ? (message as { [malformedField]?: string })[malformedField] : undefined;
}

/**
 * The package definition of our protos for the gRPC server, with request decoders that mark
 * messages holding a string field that is not valid UTF-8.
 */
export function strictUtf8PackageDefinition(): PackageDefinition {
  const includeDirs = [protoRoot()];
  const definition = protoLoader.loadSync([...protoFiles], { ...protoLoaderOptions, includeDirs });
  // The same files through protobufjs, with proto field names, to walk the wire format by field.
  const root = new Root();
  root.resolvePath = (_origin, target) => `${includeDirs[0]}/${target}`;
  root.loadSync([...protoFiles], { keepCase: true }).resolveAll();
  for (const [name, service] of Object.entries(definition)) {
    if (!('format' in service) && typeof service === 'object') {
      const protoService = root.lookupService(name);
      for (const [methodName, method] of Object.entries(service)) {
        const requestType = protoService.methods[methodName]?.resolvedRequestType;
        if (!requestType) continue;
        const decode = method.requestDeserialize;
        method.requestDeserialize = (bytes: Buffer) => {
          const message = decode(bytes) as object;
          const field = isAscii(bytes) ? undefined : firstMalformedString(requestType, bytes);
          if (field) Object.defineProperty(message, malformedField, { value: field, enumerable: false });
          return message;
        };
      }
    }
  }
  return definition;
}

/** The first string field (as a dotted proto path) in the encoded `bytes` of `type` that is not UTF-8. */
function firstMalformedString(type: Type, bytes: Uint8Array, prefix = ''): string | undefined {
  const reader = Reader.create(bytes);
  while (reader.pos < reader.len) {
    const tag = reader.uint32();
    const wireType = tag & 7;
    const field = type.fieldsById[tag >>> 3];
    const nested = field?.resolvedType instanceof Type && !field.map ? field.resolvedType : undefined;
    if (wireType !== 2 || !field || (field.type !== 'string' && !nested)) {
      reader.skipType(wireType);
      continue;
    }
    const value = reader.bytes();
    if (nested) {
      const inner = firstMalformedString(nested, value, `${prefix}${field.name}.`);
      if (inner) return inner;
    } else if (!isUtf8(value)) {
      return `${prefix}${field.name}`;
    }
  }
  return undefined;
}

/** Answers a request marked by the strict decoder with INVALID_ARGUMENT, before any handler runs. */
@Injectable()
export class RefuseMalformedText implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const field = context.getType() === 'rpc' ? malformedUtf8Field(context.switchToRpc().getData()) : undefined;
    if (field) throw invalidArgument([{ field, description: 'is not valid UTF-8: text must be sent as UTF-8' }]);
    return next.handle();
  }
}
