/**
 * The load generator of the HTTP scenarios, in a process of its own (forked by a scenario),
 * so the server's process does only the server's work: `connections` keep-alive connections
 * each POST NDJSON bodies of ~1 MiB (200-byte events) to `url`, one request at a time per
 * connection, and time each from send to answer. The body is built once; the client's cost
 * is the socket writes.
 *
 *     fork('http-load.js', [url]); send HttpLoadCommand; receive HttpLoadResult
 */
import { Agent, request } from 'node:http';

/** POST `bytes` worth of bodies as fast as the connections allow, or `requestsPerSecond` for `durationMs`. */
export type HttpLoadCommand =
  | { readonly kind: 'peak'; readonly bytes: number; readonly connections: number }
  | { readonly kind: 'rate'; readonly requestsPerSecond: number; readonly durationMs: number; readonly connections: number };

/** What one command measured. */
export interface HttpLoadResult {
  readonly requests: number;
  readonly events: number;
  readonly bytes: number;
  readonly durationMs: number;
  /** Send → answer time of every request, ms. */
  readonly p50: number;
  readonly p99: number;
  /** Requests answered with anything but 200. */
  readonly rejected: number;
}

/** The body's target size and the size of one event line (newline included). */
export const BODY_BYTES = 1024 * 1024;
export const EVENT_BYTES = 200;

/** One NDJSON line of exactly `EVENT_BYTES` bytes with its newline: what a service's logger writes. */
export function benchLine(index: number): string {
  const head = `{"timestamp":"2026-12-01T12:00:00.${String(index % 1000).padStart(3, '0')}Z","level":"info","host":"web-01","service":"orders","message":"GET /api/v1/orders/${100_000 + index} 200 12ms `;
  const tail = '"}\n';
  return head + 'x'.repeat(Math.max(0, EVENT_BYTES - head.length - tail.length)) + tail;
}

/** ~1 MiB of NDJSON and how many events it holds. */
export function benchBody(): { body: Buffer; events: number } {
  const events = Math.floor(BODY_BYTES / EVENT_BYTES);
  let text = '';
  for (let i = 0; i < events; i++) text += benchLine(i);
  return { body: Buffer.from(text), events };
}

const percentile = (sorted: readonly number[], p: number): number => (sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]);

const [url = 'http://127.0.0.1:8080/logs'] = process.argv.slice(2);
const { body, events: eventsPerBody } = benchBody();

function post(agent: Agent): Promise<{ status: number; ms: number }> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', agent, headers: { 'content-type': 'application/x-ndjson', 'content-length': body.length } }, (response) => {
      response.resume();
      response.on('end', () => resolve({ status: response.statusCode ?? 0, ms: performance.now() - started }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function run(command: HttpLoadCommand): Promise<HttpLoadResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: command.connections });
  const latencies: number[] = [];
  let requests = 0;
  let rejected = 0;
  const started = performance.now();
  const record = ({ status, ms }: { status: number; ms: number }): void => {
    latencies.push(ms);
    if (status === 200) requests++;
    else rejected++;
  };
  if (command.kind === 'peak') {
    const total = Math.ceil(command.bytes / body.length);
    let issued = 0;
    const worker = async (): Promise<void> => {
      while (issued < total) {
        issued++;
        record(await post(agent));
      }
    };
    await Promise.all(Array.from({ length: command.connections }, worker));
  } else {
    const interval = 1000 / command.requestsPerSecond;
    const inFlight: Array<Promise<void>> = [];
    for (let next = 0; performance.now() - started < command.durationMs; next++) {
      const due = started + next * interval;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      inFlight.push(post(agent).then(record));
    }
    await Promise.all(inFlight);
  }
  const durationMs = performance.now() - started;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  return { requests, events: requests * eventsPerBody, bytes: requests * body.length, durationMs, p50: percentile(latencies, 50), p99: percentile(latencies, 99), rejected };
}

process.on('message', (command: HttpLoadCommand) => {
  run(command).then(
    (result) => process.send?.({ result }),
    (error: unknown) => process.send?.({ error: error instanceof Error ? error.message : String(error) }),
  );
});
process.send?.({ ready: true });
