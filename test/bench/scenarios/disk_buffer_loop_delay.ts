import { fork, type ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { DISK_BUFFER_COUNT, diskBufferSpec, DISK_BUFFER_FORMAT, generatedMessageBytes } from '../disk-buffer';
import type { ProbeMessage, ProbeSummary } from '../http-probe';
import { componentCount, runPipeline } from '../sluice';
import { expectEvents, scaled, type Scenario } from '../scenario';
import { timeSyncFs, type SyncFsReport } from '../sync-fs-timer';

/** Loop-delay sampling period; every sample includes it, so it is subtracted. */
const RESOLUTION_MS = 10;
/** Pause between two probe requests. */
const PROBE_INTERVAL_MS = 10;

let count = 0;
let bytes = 0;
let server: Server | undefined;
let probe: ChildProcess | undefined;

function probeMessage<K extends 'ready' | 'summary'>(child: ChildProcess, key: K): Promise<Extract<ProbeMessage, Record<K, unknown>>> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: ProbeMessage): void => {
      if (!(key in message)) return;
      child.off('message', onMessage);
      resolve(message as Extract<ProbeMessage, Record<K, unknown>>);
    };
    child.on('message', onMessage);
    child.once('exit', (code) => reject(new Error(`the HTTP probe exited (${code}) before sending ${key}`)));
  });
}

/**
 * What a disk buffer costs the listeners that share its event loop (issue 7: the WAL does
 * synchronous file I/O): the `disk_buffer` workload, while an HTTP server in this process
 * answers a probe in a child process (one GET every 10 ms). Reports the loop delay
 * (`monitorEventLoopDelay`, p50/p99/max less the sampling period), the probe's response
 * times (p50/p99 in the latency columns), and the blocking fs calls made meanwhile, which
 * are the WAL's: their count, total and longest.
 */
export const scenario: Scenario = {
  name: 'disk_buffer_loop_delay',
  description: `disk_buffer's workload (${DISK_BUFFER_COUNT.toLocaleString('en-US')} ${DISK_BUFFER_FORMAT} events × scale) with an in-process HTTP server probed every ${PROBE_INTERVAL_MS} ms from a child; p50/p99 are probe response times`,
  bytesBasis: 'generated message bytes + 1 newline per event (as disk_buffer)',
  async setup() {
    count = scaled(DISK_BUFFER_COUNT);
    bytes = generatedMessageBytes(DISK_BUFFER_FORMAT, count);
    const listening = createServer((_request, response) => response.end('ok'));
    server = listening;
    await new Promise<void>((resolve) => listening.listen(0, '127.0.0.1', resolve));
    const { port } = listening.address() as AddressInfo;
    const child = fork(join(__dirname, '..', 'http-probe.js'), [`http://127.0.0.1:${port}/`, String(PROBE_INTERVAL_MS)], { stdio: 'inherit' });
    probe = child;
    await probeMessage(child, 'ready');
  },
  async run() {
    if (!probe || !server) throw new Error('disk_buffer_loop_delay: setup did not run');
    const delay = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
    let fsTimer: ReturnType<typeof timeSyncFs> | undefined;
    let syncFs: SyncFsReport | undefined;
    const { durationMs, cpuMs, metrics } = await runPipeline(diskBufferSpec(count), {
      started() {
        fsTimer = timeSyncFs();
        delay.enable();
      },
      finished() {
        delay.disable();
        syncFs = fsTimer?.stop();
      },
    });
    if (!syncFs) throw new Error('disk_buffer_loop_delay: the run was not watched');
    const answer = probeMessage(probe, 'summary');
    probe.send('stop');
    const { summary }: { summary: ProbeSummary } = await answer;
    server.close();
    const delivered = await componentCount(metrics.sentEvents, 'out');
    expectEvents('disk_buffer_loop_delay', delivered, count);
    const loopMs = (percentile: number): number => Math.max(0, delay.percentile(percentile) / 1e6 - RESOLUTION_MS);
    return {
      events: delivered,
      bytes,
      durationMs,
      cpuMs,
      latencyMs: { p50: summary.p50, p99: summary.p99, samples: summary.count },
      extra: {
        loop_delay_p50_ms: loopMs(50),
        loop_delay_p99_ms: loopMs(99),
        loop_delay_max_ms: Math.max(0, delay.max / 1e6 - RESOLUTION_MS),
        probe_p50_ms: summary.p50,
        probe_p99_ms: summary.p99,
        probe_max_ms: summary.max,
        probe_failures: summary.failures,
        sync_fs_calls: syncFs.calls,
        sync_fs_total_ms: syncFs.totalMs,
        sync_fs_max_ms: syncFs.maxMs,
        ...Object.fromEntries(Object.entries(syncFs.byName).flatMap(([name, total]) => [[`${name}_calls`, total.calls], [`${name}_max_ms`, total.maxMs]])),
      },
    };
  },
};
