import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

// A stand-in for an OpenTelemetry collector: it takes OTLP/HTTP exports and throws them away,
// counting requests and bytes. Nothing is decoded, so the sink costs the load generator (which
// shares the machine with the system under test) as little as it can.

/** The OTLP/HTTP signals and their paths. */
export const otlpSignals = { traces: '/v1/traces', metrics: '/v1/metrics', logs: '/v1/logs' } as const;
export type OtlpSignal = keyof typeof otlpSignals;

/** Exports received for one signal. */
export interface ExportCount {
  requests: number;
  bytes: number;
}

export type ExportCounts = Record<OtlpSignal, ExportCount>;

/** A running sink: the endpoint to give OTEL_EXPORTER_OTLP_ENDPOINT, and what it has received. */
export interface OtlpSink {
  readonly endpoint: string;
  /** A copy of the counts so far (take two and subtract them for a window). */
  counts(): ExportCounts;
  close(): Promise<void>;
}

const emptyCounts = (): ExportCounts => ({ traces: { requests: 0, bytes: 0 }, metrics: { requests: 0, bytes: 0 }, logs: { requests: 0, bytes: 0 } });

/** What was received between two readings of the counts. */
export function exportsBetween(before: ExportCounts, after: ExportCounts): ExportCounts {
  const diff = emptyCounts();
  for (const signal of Object.keys(otlpSignals) as OtlpSignal[]) {
    diff[signal] = { requests: after[signal].requests - before[signal].requests, bytes: after[signal].bytes - before[signal].bytes };
  }
  return diff;
}

const signalByPath = new Map<string, OtlpSignal>(Object.entries(otlpSignals).map(([signal, path]) => [path, signal as OtlpSignal]));

/** Starts the sink on 127.0.0.1, on a port the kernel picks. */
export async function startOtlpSink(): Promise<OtlpSink> {
  const counts = emptyCounts();
  const server = createServer((request, response) => {
    const signal = request.method === 'POST' ? signalByPath.get((request.url ?? '').split('?')[0] ?? '') : undefined;
    let bytes = 0;
    request.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
    });
    request.on('end', () => {
      if (!signal) {
        response.writeHead(404, { 'content-length': 0 }).end();
        return;
      }
      counts[signal].requests += 1;
      counts[signal].bytes += bytes;
      // An empty body is a valid ExportServiceResponse: everything accepted.
      response.writeHead(200, { 'content-type': 'application/x-protobuf', 'content-length': 0 }).end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    counts: () => structuredClone(counts),
    close: () =>
      new Promise<void>((resolve) => {
        // The exporters keep their connections open between exports: closing must not wait on them.
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
