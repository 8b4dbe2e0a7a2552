import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { HttpLoadCommand, HttpLoadResult } from './http-load';
import type { Measurement } from './scenario';
import { scaled } from './scenario';

/** The load of both HTTP scenarios: 4 keep-alive connections POSTing ~1 MiB NDJSON bodies. */
export const HTTP_LOAD = { connections: 4, bytes: 768 * 1024 * 1024, warmupBytes: 48 * 1024 * 1024, rateMs: 5000 } as const;

type LoadMessage = { ready: true } | { result: HttpLoadResult } | { error: string };

/** The forked load generator, driven one command at a time. */
class LoadProcess {
  private readonly child: ChildProcess;
  private pending: ((message: LoadMessage) => void) | undefined;
  readonly ready: Promise<LoadMessage>;

  constructor(url: string) {
    this.child = fork(join(__dirname, 'http-load.js'), [url], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    this.ready = this.next();
    this.child.on('message', (message: LoadMessage) => {
      const pending = this.pending;
      this.pending = undefined;
      pending?.(message);
    });
  }

  private next(): Promise<LoadMessage> {
    return new Promise((resolve) => (this.pending = resolve));
  }

  async run(command: HttpLoadCommand): Promise<HttpLoadResult> {
    const answer = this.next();
    this.child.send(command);
    const message = await answer;
    if ('error' in message) throw new Error(`http load generator: ${message.error}`);
    if (!('result' in message)) throw new Error('http load generator: unexpected message');
    return message.result;
  }

  stop(): void {
    this.child.kill();
  }
}

/**
 * Runs the HTTP load against `url`: a warm-up, then as fast as 4 connections go (the
 * throughput figures), then at half that request rate for a few seconds (the send → answer
 * latency figures). The server is whatever the scenario started in this process: its CPU
 * time is what `cpuMs` reports. `delivered` is every event the load sent and had accepted.
 */
export async function measureHttpLoad(url: string): Promise<Measurement & { readonly delivered: number }> {
  const load = new LoadProcess(url);
  try {
    await load.ready;
    const connections = HTTP_LOAD.connections;
    const warmup = await load.run({ kind: 'peak', bytes: HTTP_LOAD.warmupBytes, connections });
    const cpuBefore = process.cpuUsage();
    const peak = await load.run({ kind: 'peak', bytes: scaled(HTTP_LOAD.bytes), connections });
    const cpu = process.cpuUsage(cpuBefore);
    const peakRequestRate = peak.requests / (peak.durationMs / 1000);
    const half = await load.run({ kind: 'rate', requestsPerSecond: peakRequestRate / 2, durationMs: HTTP_LOAD.rateMs, connections });
    return {
      events: peak.events,
      bytes: peak.bytes,
      durationMs: peak.durationMs,
      cpuMs: (cpu.user + cpu.system) / 1000,
      latencyMs: { p50: half.p50, p99: half.p99, samples: half.requests + half.rejected },
      extra: { peak_p99_ms: peak.p99, half_load_mib_s: Math.round(half.bytes / 1048576 / (half.durationMs / 1000)), rejected: warmup.rejected + peak.rejected + half.rejected },
      delivered: warmup.events + peak.events + half.events,
    };
  } finally {
    load.stop();
  }
}
