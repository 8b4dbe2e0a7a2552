import { spawn } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { IngestClient } from '../../src/client';
import { assertBuilt, eventually, freePort, killLeftovers, logLine, readEvents, removeTempDirs, ROOT, startCli, tempDir, writeConfig, type Running } from './cli-harness';
import { note } from '../helpers/notes';

/**
 * The Node client and the pino transport against the real CLI (issue 8): a `grpc` source with
 * a disk buffer in front of a file sink. sluice is killed (-9) or restarted while events are
 * in flight; every event must arrive at least once, and the duplicates are counted.
 */

beforeAll(assertBuilt);
afterEach(killLeftovers);
afterAll(removeTempDirs);

interface Sluice {
  readonly config: string;
  readonly grpcPort: number;
  readonly out: string;
  start(): Promise<Running>;
}

/** A pipeline `grpc → file` with a crash-safe disk buffer, and a way to (re)start it. */
async function sluicePipeline(): Promise<Sluice> {
  const dir = tempDir('sluice-grpc-client-');
  const grpcPort = await freePort();
  const apiPort = await freePort();
  const out = join(dir, 'out');
  const config = writeConfig(
    dir,
    `data_dir: ${join(dir, 'state')}
api:
  address: 127.0.0.1:${apiPort}
sources:
  ingest:
    type: grpc
    address: 127.0.0.1:${grpcPort}
    drain_timeout: 5s
sinks:
  archive:
    type: file
    inputs: [ingest]
    path: ${out}/%Y-%m-%d/%H.ndjson
    buffer:
      mode: disk
      path: ${join(dir, 'buffer')}
      fsync: always
`,
  );
  const start = async (): Promise<Running> => {
    const running = startCli(['run', '-c', config, '--log-level', 'info']);
    await eventually(() => (logLine(running.stderr(), 'grpc source listening') ? true : undefined), 30_000, 'the grpc source to listen').catch((error: Error) => {
      throw new Error(`${error.message}\n--- sluice stderr ---\n${running.stderr().slice(-4000)}`);
    });
    return running;
  };
  return { config, grpcPort, out, start };
}

/** How often each `seq` 0..count-1 is in the output: what is missing, and how many duplicates. */
function tally(events: ReadonlyArray<Record<string, unknown>>, count: number): { missing: number[]; duplicates: number; copies: Uint32Array } {
  const copies = new Uint32Array(count);
  for (const event of events) {
    const seq = event.seq;
    if (typeof seq !== 'number' || !Number.isInteger(seq) || seq < 0 || seq >= count) throw new Error(`unexpected seq ${String(seq)} in ${JSON.stringify(event)}`);
    copies[seq] += 1;
  }
  const missing: number[] = [];
  for (let seq = 0; seq < count; seq++) if (copies[seq] === 0) missing.push(seq);
  return { missing, duplicates: events.length - (count - missing.length), copies };
}

const sleep = (ms: number): Promise<void> => new Promise((wake) => setTimeout(wake, ms));

describe('the Node client against the CLI', () => {
  it('streams through a kill -9 and restart of sluice: every event arrives at least once', async () => {
    const COUNT = 30_000;
    const sluice = await sluicePipeline();
    let running = await sluice.start();
    const client = new IngestClient({ address: `127.0.0.1:${sluice.grpcPort}`, backoff: { initialMs: 50, maxMs: 1_000 } });
    const stream = client.stream({ batchMaxEvents: 200, lingerMs: 20, maxUnackedBatches: 8 });
    let acked = 0;
    let disconnects = 0;
    stream.on('ack', (ack) => (acked += ack.accepted));
    stream.on('disconnect', () => (disconnects += 1));

    const producing = (async () => {
      for (let seq = 0; seq < COUNT; seq++) {
        await stream.send({ message: `event ${seq}`, level: 'info', timestamp: Date.now(), fields: { seq } });
        // Pace the producer so the kill lands mid-stream rather than after everything was acked.
        if (seq % 500 === 499) await sleep(40);
      }
    })();

    await eventually(() => (acked >= COUNT / 3 ? true : undefined), 60_000, `a third of the events acked (acked ${acked})`);
    running.child.kill('SIGKILL');
    const killed = await running.exited;
    expect(killed.signal).toBe('SIGKILL');
    const ackedAtKill = acked;
    await sleep(500);
    running = await sluice.start();

    await producing;
    const closed = await client.close({ timeoutMs: 60_000 });
    expect(closed).toEqual({ accepted: COUNT, gaveUp: 0 });
    expect(disconnects).toBeGreaterThanOrEqual(1);
    expect(ackedAtKill).toBeLessThan(COUNT);

    // Acked means durably buffered: wait for the buffer to drain into the file, then stop.
    const result = await eventually(() => {
      const counted = tally(readEvents(sluice.out), COUNT);
      return counted.missing.length === 0 ? counted : undefined;
    }, 60_000, 'every event in the output').catch((error: Error) => {
      const counted = tally(readEvents(sluice.out), COUNT);
      throw new Error(`${error.message}: ${counted.missing.length} missing (first ${counted.missing.slice(0, 10).join(', ')})\n${running.stderr().slice(-3000)}`);
    });
    running.child.kill('SIGTERM');
    expect((await running.exited).code).toBe(0);
    const final = tally(readEvents(sluice.out), COUNT);
    note(`client through kill -9: ${COUNT} events, ${ackedAtKill} acked before the kill, ${final.duplicates} duplicates in the output, stats ${JSON.stringify(stream.stats())}`);
    expect(final.missing).toEqual([]);
    expect(result.missing).toEqual([]);
  });

  it('a pino logger with the sluice/pino transport in a child process: every line arrives, including those logged while sluice restarted', async () => {
    const LINES = 4_000;
    const INTERVAL_MS = 2;
    const sluice = await sluicePipeline();
    let running = await sluice.start();

    // The app lives inside the package (under dist/) so `target: 'sluice/pino'` resolves by
    // the package's own name and exports map, exactly as in a service that installed sluice.
    const appDir = join(ROOT, 'dist', 'e2e-fixtures');
    mkdirSync(appDir, { recursive: true });
    const app = join(appDir, `pino-app-${process.pid}.cjs`);
    writeFileSync(
      app,
      `const pino = require('pino');
const logger = pino({ name: 'checkout', transport: { target: 'sluice/pino', options: { address: process.env.SLUICE_ADDRESS, backoff: { initialMs: 50, maxMs: 500 } } } });
let seq = 0;
const timer = setInterval(() => {
  for (let i = 0; i < 5 && seq < ${LINES}; i++, seq++) logger.info({ seq, at: Date.now() }, 'line %d', seq);
  if (seq % 500 === 0) process.stdout.write('logged ' + seq + '\\n');
  if (seq >= ${LINES}) clearInterval(timer);
}, ${INTERVAL_MS});
`,
    );
    try {
      const child = spawn(process.execPath, [app], { cwd: ROOT, env: { ...process.env, SLUICE_ADDRESS: `127.0.0.1:${sluice.grpcPort}` }, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
      const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));

      await eventually(() => (/logged 1000\b/.test(stdout) ? true : undefined), 30_000, 'the app to log 1000 lines');
      const stoppedAt = Date.now();
      running.child.kill('SIGTERM');
      expect((await running.exited).code).toBe(0);
      await sleep(700);
      const restartedAt = Date.now();
      running = await sluice.start();

      const code = await exited;
      expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
      const events = await eventually(() => {
        const all = readEvents(sluice.out);
        return tally(all, LINES).missing.length === 0 ? all : undefined;
      }, 60_000, 'every logged line in the output').catch((error: Error) => {
        const counted = tally(readEvents(sluice.out), LINES);
        throw new Error(`${error.message}: ${counted.missing.length} missing (first ${counted.missing.slice(0, 10).join(', ')})`);
      });
      running.child.kill('SIGTERM');
      await running.exited;

      const { duplicates } = tally(events, LINES);
      const duringRestart = events.filter((event) => typeof event.at === 'number' && event.at >= stoppedAt && event.at < restartedAt);
      const sample = events.find((event) => event.seq === 7);
      expect(sample).toMatchObject({ message: 'line 7', level: 'info', source: 'checkout', seq: 7 });
      expect(typeof sample?.host).toBe('string');
      expect(typeof sample?.pid).toBe('number');
      expect(duringRestart.length).toBeGreaterThan(50);
      note(`pino transport through a restart: ${LINES} lines, ${duringRestart.length} logged while sluice was down, ${duplicates} duplicates`);
    } finally {
      rmSync(app, { force: true });
    }
  });
});
