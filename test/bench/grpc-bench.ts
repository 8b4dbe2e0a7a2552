import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { LoadCommand, LoadResult } from './grpc-load';
import type { Measurement } from './scenario';
import { scaled } from './scenario';

/** The load of both gRPC scenarios: 4 connections streaming 500-event batches, 16 unacked each. */
export const LOAD = { connections: 4, batchEvents: 500, window: 16, events: 6_000_000, rateMs: 5000 } as const;

type LoadMessage = { ready: true } | { result: LoadResult } | { error: string };

/** The forked load generator, driven one command at a time. */
class LoadProcess {
  private readonly child: ChildProcess;
  private pending: { resolve: (message: LoadMessage) => void } | undefined;
  readonly ready: Promise<LoadMessage>;

  constructor(address: string) {
    this.child = fork(join(__dirname, 'grpc-load.js'), [address], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    this.ready = this.next();
    this.child.on('message', (message: LoadMessage) => {
      const pending = this.pending;
      this.pending = undefined;
      pending?.resolve(message);
    });
  }

  private next(): Promise<LoadMessage> {
    return new Promise((resolve) => (this.pending = { resolve }));
  }

  async run(command: LoadCommand): Promise<LoadResult> {
    const answer = this.next();
    this.child.send(command);
    const message = await answer;
    if ('error' in message) throw new Error(`grpc load generator: ${message.error}`);
    if (!('result' in message)) throw new Error('grpc load generator: unexpected message');
    return message.result;
  }

  stop(): void {
    this.child.kill();
  }
}

/**
 * Runs the gRPC load against `address`: first as fast as it goes (the throughput figures),
 * then at half that rate for a few seconds (the send → ack latency figures). The server is
 * whatever the scenario started in this process: its CPU time is what `cpuMs` reports.
 */
export async function measureGrpcLoad(address: string): Promise<Measurement & { readonly delivered: number }> {
  const load = new LoadProcess(address);
  try {
    await load.ready;
    const common = { connections: LOAD.connections, batchEvents: LOAD.batchEvents, window: LOAD.window };
    // A short warm-up so the JIT and the connections are settled before the timed run.
    await load.run({ kind: 'peak', events: 100_000, ...common });
    const cpuBefore = process.cpuUsage();
    const peak = await load.run({ kind: 'peak', events: scaled(LOAD.events), ...common });
    const cpu = process.cpuUsage(cpuBefore);
    const peakRate = peak.events / (peak.durationMs / 1000);
    const half = await load.run({ kind: 'rate', eventsPerSecond: peakRate / 2, durationMs: LOAD.rateMs, ...common });
    return {
      events: peak.events,
      bytes: peak.bytes,
      durationMs: peak.durationMs,
      cpuMs: (cpu.user + cpu.system) / 1000,
      latencyMs: { p50: half.p50, p99: half.p99, samples: Math.round(half.events / LOAD.batchEvents) },
      extra: { peak_p99_ms: peak.p99, half_load_events_s: Math.round(half.events / (half.durationMs / 1000)), rejected: peak.rejected + half.rejected },
      delivered: 100_000 + peak.events + half.events,
    };
  } finally {
    load.stop();
  }
}
