/**
 * A client in a process of its own (forked by a scenario), so its clock is not the loop it
 * measures: GETs `url` one request at a time, `intervalMs` apart, over one keep-alive
 * connection, and records each response time. Sends `{ ready: true }` after the first
 * answer; on the message `'stop'` it sends the {@link ProbeSummary} and exits.
 *
 *     fork('http-probe.js', [url, intervalMs])
 */
import { Agent, get } from 'node:http';

/** Response times the probe saw, in ms. */
export interface ProbeSummary {
  readonly count: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
  readonly failures: number;
}

/** What the probe sends to its parent. */
export type ProbeMessage = { readonly ready: true } | { readonly summary: ProbeSummary };

const agent = new Agent({ keepAlive: true, maxSockets: 1 });

function request(url: string): Promise<void> {
  return new Promise((resolve, reject) => {
    get(url, { agent }, (response) => {
      response.resume();
      response.once('end', resolve);
      response.once('error', reject);
    }).once('error', reject);
  });
}

function percentile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
}

async function main(url: string, intervalMs: number): Promise<void> {
  let stopping = false;
  process.on('message', (message) => {
    if (message === 'stop') stopping = true;
  });
  // A parent that died (a failed run) must not leave the probe polling forever.
  process.once('disconnect', () => process.exit(0));
  const samples: number[] = [];
  let failures = 0;
  let first = true;
  while (!stopping) {
    const started = performance.now();
    try {
      await request(url);
      samples.push(performance.now() - started);
      if (first) process.send?.({ ready: true } satisfies ProbeMessage);
      first = false;
    } catch {
      failures++;
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  // The samples taken before the parent's measurement began are few (one interval); keep them.
  const sorted = samples.sort((a, b) => a - b);
  const summary: ProbeSummary = { count: sorted.length, p50: percentile(sorted, 0.5), p99: percentile(sorted, 0.99), max: sorted[sorted.length - 1] ?? Number.NaN, failures };
  process.send?.({ summary } satisfies ProbeMessage, () => process.exit(0));
}

void main(process.argv[2] ?? '', Number(process.argv[3] ?? 10));
