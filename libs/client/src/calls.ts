import * as grpc from '@grpc/grpc-js';

// The generated client interfaces overload each method; a conditional type sees the last
// overload, `(argument, callback)` for unary methods and `(argument, options?)` for streams.
type UnarySignature<Request, Response> = (argument: Request, callback: grpc.requestCallback<Response>) => grpc.ClientUnaryCall;
type StreamSignature<Request, Response> = (argument: Request, options?: grpc.CallOptions) => grpc.ClientReadableStream<Response>;

/** The unary methods of a generated client, spelled as in the proto (e.g. 'RequestAction'). */
export type UnaryMethodName<Client> = {
  [K in keyof Client & string]: K extends Capitalize<K> ? (Client[K] extends UnarySignature<infer _Req, infer _Res> ? K : never) : never;
}[keyof Client & string];

/** The server-streaming methods of a generated client (e.g. 'WatchAction'). */
export type StreamMethodName<Client> = {
  [K in keyof Client & string]: K extends Capitalize<K> ? (Client[K] extends StreamSignature<infer _Req, infer _Res> ? K : never) : never;
}[keyof Client & string];

/** The request type a method takes. */
export type RequestOf<Client, K extends keyof Client> =
  Client[K] extends UnarySignature<infer Req, infer _Res> ? Req : Client[K] extends StreamSignature<infer Req, infer _Res> ? Req : never;

/** The decoded (`__Output`) type a method returns or streams. */
export type ResponseOf<Client, K extends keyof Client> =
  Client[K] extends UnarySignature<infer _Req, infer Res> ? Res : Client[K] extends StreamSignature<infer _Req, infer Res> ? Res : never;

/** Calls a unary method and resolves with the decoded response; rejects with the grpc.ServiceError. */
export function unary<Client extends grpc.Client, K extends UnaryMethodName<Client>>(
  client: Client,
  method: K,
  request: RequestOf<Client, K>,
  metadata: grpc.Metadata = new grpc.Metadata(),
  options: grpc.CallOptions = {},
): Promise<ResponseOf<Client, K>> {
  const call = client[method] as unknown as (
    this: Client,
    argument: RequestOf<Client, K>,
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<ResponseOf<Client, K>>,
  ) => grpc.ClientUnaryCall;
  return new Promise((resolve, reject) => {
    call.call(client, request, metadata, options, (error, response) => {
      if (error) reject(error);
      else resolve(response as ResponseOf<Client, K>);
    });
  });
}

/** Starts a server-streaming call; the stream is async-iterable and throws the call's error. */
export function serverStream<Client extends grpc.Client, K extends StreamMethodName<Client>>(
  client: Client,
  method: K,
  request: RequestOf<Client, K>,
  metadata: grpc.Metadata = new grpc.Metadata(),
  options: grpc.CallOptions = {},
): grpc.ClientReadableStream<ResponseOf<Client, K>> {
  const call = client[method] as unknown as (
    this: Client,
    argument: RequestOf<Client, K>,
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
  ) => grpc.ClientReadableStream<ResponseOf<Client, K>>;
  return call.call(client, request, metadata, options);
}

/** Reads a server stream to its end; rejects with the call's error if it fails. */
export async function collect<T>(stream: AsyncIterable<T>): Promise<T[]> {
  const messages: T[] = [];
  for await (const message of stream) messages.push(message);
  return messages;
}

export { isServiceError, statusName } from '@approvals/sdk';
