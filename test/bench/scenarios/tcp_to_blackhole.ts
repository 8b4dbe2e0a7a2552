import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pipeline, PipelineMetrics, pipeline, type SourceSpec } from '../../../src/index';
import { componentCount } from '../sluice';
import { freePort } from './baseline_http_decode';
import { expectEvents, scaled, timed, type Measurement, type Scenario } from '../scenario';

/** Concurrent sender connections, as in Vector's and Fluent Bit's tcp_to_blackhole. */
const SENDERS = 4;
/** Bytes of each line, newline included (the peers' generator makes ~205-byte lines). */
const LINE_BYTES = 205;
const SEND_BUFFER_LINES = 20_000;

/** What a sender writes: plain text lines, or RFC 5424 messages with octet counting. */
export type LineShape = 'plain' | 'rfc5424';

/** The `i`-th line of `shape`, exactly `LINE_BYTES` bytes on the wire. */
function line(shape: LineShape, i: number): string {
  if (shape === 'plain') {
    const head = `2024-06-01T12:00:00.000Z INFO request id=${i} `;
    return `${head}${'x'.repeat(LINE_BYTES - 1 - head.length)}\n`;
  }
  const head = `<165>1 2024-06-01T12:00:00.123Z host-${i % 16} app ${i % 999} ID47 [ex@32473 id="${i}" k="v"] `;
  const body = `${head}${'y'.repeat(Math.max(1, LINE_BYTES - 4 - head.length))}`;
  return `${Buffer.byteLength(body)} ${body}`;
}

/** In the forked sender: writes `lines` lines to the port as fast as TCP takes them, then closes. */
async function send(port: number, lines: number, shape: LineShape): Promise<void> {
  const batch = Buffer.from(Array.from({ length: Math.min(lines, SEND_BUFFER_LINES) }, (_, i) => line(shape, i)).join(''));
  const perBatch = Math.min(lines, SEND_BUFFER_LINES);
  const socket = connect(port, '127.0.0.1');
  await new Promise((resolve) => socket.once('connect', resolve));
  // Connected and ready: the parent starts its clock and says go.
  process.send?.('ready');
  await new Promise((resolve) => process.once('message', resolve));
  for (let sent = 0; sent < lines; sent += perBatch) {
    const take = Math.min(perBatch, lines - sent);
    const chunk = take === perBatch ? batch : Buffer.from(Array.from({ length: take }, (_, i) => line(shape, i)).join(''));
    if (!socket.write(chunk)) await new Promise((resolve) => socket.once('drain', resolve));
  }
  await new Promise<void>((resolve) => socket.end(resolve));
}

if (process.argv[2] === '--send') {
  const [port, lines, shape] = [Number(process.argv[3]), Number(process.argv[4]), process.argv[5] as LineShape];
  send(port, lines, shape).then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}

/** Whether something accepts connections on the port (the source is listening). */
function accepting(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = connect(port, '127.0.0.1');
    probe.once('connect', () => {
      probe.destroy();
      resolve(true);
    });
    probe.once('error', () => resolve(false));
  });
}

/**
 * Runs a real Pipeline (`source` → blackhole) and `SENDERS` forked processes writing
 * `totalLines` lines of `shape` over TCP; timed from the first connection to the last event
 * counted by the blackhole. The senders' CPU is not this process's.
 */
export async function measureTcpIngest(name: string, source: SourceSpec, shape: LineShape, totalLines: number): Promise<Measurement> {
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'sluice-bench-'));
  const metrics = new PipelineMetrics();
  const spec = pipeline({
    sources: { ingest: { ...source, address: `127.0.0.1:${port}`, max_in_flight_events: 100_000, max_in_flight_bytes: '64MiB' } as SourceSpec },
    sinks: { out: { type: 'blackhole', inputs: ['ingest'], batch: { max_events: 10_000 } } },
  });
  const running = Pipeline.create({ ...spec, data_dir: dataDir, api: { enabled: false } }, { metrics });
  const finished = running.run();
  try {
    for (let i = 0; i < 500 && !(await accepting(port)); i++) await new Promise((resolve) => setTimeout(resolve, 10));
    const perSender = Math.ceil(totalLines / SENDERS);
    const expected = perSender * SENDERS;
    // Senders start (a Node process each), build their lines and connect before the clock runs.
    const senders = Array.from({ length: SENDERS }, () => fork(__filename, ['--send', String(port), String(perSender), shape], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }));
    const exits = senders.map((child) => new Promise<void>((resolve, reject) => child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`sender exited ${code}`))))));
    await Promise.all(senders.map((child) => new Promise((resolve) => child.once('message', resolve))));
    const { durationMs, cpuMs } = await timed(async () => {
      for (const child of senders) child.send('go');
      await Promise.all(exits);
      while ((await componentCount(metrics.sentEvents, 'out')) < expected) await new Promise((resolve) => setTimeout(resolve, 5));
    });
    await running.stop();
    await finished;
    expectEvents(name, await componentCount(metrics.sentEvents, 'out'), expected);
    return { events: expected, bytes: expected * LINE_BYTES, durationMs, cpuMs };
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/**
 * Raw lines over TCP, the figure Fluent Bit (307 MiB/s) and Vector publish as
 * `tcp_to_blackhole`: 4 sender processes × 205-byte lines → `socket` source → blackhole.
 */
export const scenario: Scenario = {
  name: 'tcp_to_blackhole',
  description: `socket source (tcp, newline framing), ${SENDERS} forked senders of ${LINE_BYTES}-byte lines → blackhole`,
  bytesBasis: 'line bytes + newline',
  run: () => measureTcpIngest('tcp_to_blackhole', { type: 'socket', mode: 'tcp' }, 'plain', scaled(2_000_000)),
};
