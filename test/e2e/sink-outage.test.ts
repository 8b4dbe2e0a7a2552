import { execFileSync } from 'node:child_process';
import { closeSync, mkdirSync, openSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { assertBuilt, eventually, freePort, killLeftovers, readEvents, removeTempDirs, startCli, tempDir, writeConfig, type Running } from './cli-harness';
import { note } from '../helpers/notes';

/**
 * A sink outage through the CLI (issue 7, "What must show it"): a `file` sink with only a disk
 * buffer writes into a tiny tmpfs that is full, so every append fails with ENOSPC (retryable),
 * while a generator keeps producing at a steady rate. Nothing the buffer acknowledged upstream
 * may be lost, the backlog must drain once space is freed, and /metrics must show the buffer's
 * size and the retry count while the sink is down.
 *
 * Short form: a 5 s outage. Full form (`npm run test:outage`): SLUICE_OUTAGE_SECONDS=30.
 * Needs root (it mounts a tmpfs); without it the test fails and says so.
 */

const OUTAGE_SECONDS = Number(process.env.SLUICE_OUTAGE_SECONDS ?? '5');
const COUNT = 20_000;
/** The generator runs a little longer than the outage, so events keep arriving across the recovery. */
const RATE = Math.ceil(COUNT / (OUTAGE_SECONDS + 3));
const SINK = 'out';
const TMPFS_SIZE = '32m';

let mountPoint: string | undefined;

beforeAll(assertBuilt);
afterEach(killLeftovers);
afterAll(() => {
  if (mountPoint !== undefined) {
    try {
      execFileSync('umount', [mountPoint], { stdio: 'pipe' });
    } catch {
      execFileSync('umount', ['-l', mountPoint], { stdio: 'pipe' });
    }
    mountPoint = undefined;
  }
  removeTempDirs();
});

/** Mounts a tmpfs of `size` on `dir`; fails with what to do when not allowed (not root). */
function mountTmpfs(dir: string, size: string): void {
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir], { stdio: 'pipe' });
  } catch (error) {
    const stderr = (error as { stderr?: Buffer }).stderr?.toString().trim();
    throw new Error(
      `sink-outage test needs root to mount a tmpfs (it fills one to make the file sink fail with ENOSPC): ` +
        `\`mount -t tmpfs -o size=${size} tmpfs ${dir}\` failed: ${stderr || String(error)}. Run it as root.`,
    );
  }
}

/** Writes `file` until the filesystem reports ENOSPC, in ever smaller pieces down to one byte. Returns bytes written. */
function fillUntilFull(file: string): number {
  const fd = openSync(file, 'w');
  let written = 0;
  try {
    for (let size = 1024 * 1024; size >= 1; size = Math.floor(size / 2)) {
      const chunk = Buffer.alloc(size, 0x78);
      for (;;) {
        try {
          written += writeSync(fd, chunk);
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code === 'ENOSPC') break;
          throw error;
        }
      }
    }
  } finally {
    closeSync(fd);
  }
  return written;
}

/** The value of `metric` on the line labelled with `component_id="<id>"`, or undefined when absent. */
function metricValue(body: string, metric: string, id: string): number | undefined {
  for (const line of body.split('\n')) {
    if (!line.startsWith(`${metric}{`) || !line.includes(`component_id="${id}"`)) continue;
    const value = Number(line.slice(line.lastIndexOf(' ') + 1));
    if (Number.isFinite(value)) return value;
  }
  return undefined;
}

async function scrape(port: number): Promise<string> {
  try {
    const response = await fetch(`http://127.0.0.1:${port}/metrics`);
    return response.ok ? await response.text() : '';
  } catch {
    return '';
  }
}

const sleep = (ms: number): Promise<void> => new Promise((wake) => setTimeout(wake, ms));

describe('a file sink outage through the CLI (disk buffer only, default retry)', () => {
  it(
    `loses nothing acknowledged while the sink is down for ${OUTAGE_SECONDS}s under load, drains the backlog after recovery, and shows buffer bytes and retries in /metrics`,
    async () => {
      const dir = tempDir('sluice-outage-');
      const mnt = join(dir, 'mnt');
      mkdirSync(mnt);
      mountTmpfs(mnt, TMPFS_SIZE);
      mountPoint = mnt;
      const filler = join(mnt, 'filler');
      const fillerBytes = fillUntilFull(filler);
      expect(fillerBytes).toBeGreaterThan(0);

      const port = await freePort();
      const out = join(mnt, 'logs');
      // The stdin source (never ended) keeps sluice running after the generator completes, so
      // /metrics can still be read once the backlog has drained; SIGTERM stops it at the end.
      const config = writeConfig(
        dir,
        `data_dir: ${join(dir, 'state')}
api:
  address: 127.0.0.1:${port}
sources:
  gen:
    type: generator
    count: ${COUNT}
    rate: ${RATE}
    batch_size: 100
    format: json
  keepalive:
    type: stdin
sinks:
  ${SINK}:
    type: file
    inputs: [gen]
    path: ${out}/%Y-%m-%d/%H.ndjson
    buffer:
      mode: disk
      path: ${join(dir, 'buffer')}
  void:
    type: blackhole
    inputs: [keepalive]
`,
      );
      const running: Running = startCli(['run', '-c', config, '--log-level', 'warn']);
      const failed = (why: string): Error => new Error(`${why}\n--- sluice stderr (tail) ---\n${running.stderr().slice(-4000)}`);

      // The outage: the sink has been failing with ENOSPC since its first write. Watch /metrics while it lasts.
      await eventually(async () => ((await scrape(port)).length > 0 ? true : undefined), 20_000, '/metrics to answer').catch((error: Error) => {
        throw failed(error.message);
      });
      const outageEnds = Date.now() + OUTAGE_SECONDS * 1000;
      let peakBufferBytes = 0;
      let retriedDuringOutage = 0;
      let sentDuringOutage = 0;
      while (Date.now() < outageEnds) {
        const body = await scrape(port);
        peakBufferBytes = Math.max(peakBufferBytes, metricValue(body, 'sluice_buffer_bytes', SINK) ?? 0);
        retriedDuringOutage = Math.max(retriedDuringOutage, metricValue(body, 'sluice_component_retried_events_total', SINK) ?? 0);
        sentDuringOutage = Math.max(sentDuringOutage, metricValue(body, 'sluice_component_sent_events_total', SINK) ?? 0);
        await sleep(250);
      }
      expect(running.child.exitCode).toBeNull();
      expect(sentDuringOutage).toBe(0);
      expect(peakBufferBytes).toBeGreaterThan(0);
      expect(retriedDuringOutage).toBeGreaterThan(0);

      // Recovery: free the space. The default retry backs off up to 30 s, so allow for one full backoff.
      rmSync(filler);
      const drained = await eventually(
        async () => {
          const body = await scrape(port);
          const sent = metricValue(body, 'sluice_component_sent_events_total', SINK) ?? 0;
          const buffered = metricValue(body, 'sluice_buffer_bytes', SINK);
          return sent >= COUNT && buffered === 0 ? { sent, body } : undefined;
        },
        Math.max(40_000, OUTAGE_SECONDS * 2_000),
        `all ${COUNT} events sent and sluice_buffer_bytes{component_id="${SINK}"} back to 0`,
      ).catch((error: Error) => {
        throw failed(error.message);
      });
      const retriedTotal = metricValue(drained.body, 'sluice_component_retried_events_total', SINK) ?? 0;

      running.child.kill('SIGTERM');
      const exit = await running.exited;
      expect(exit.code).toBe(0);

      // Every generated event is in the output at least once; count any duplicates.
      const events = readEvents(out);
      const copies = new Uint32Array(COUNT);
      for (const event of events) {
        const sequence = event.sequence;
        if (typeof sequence !== 'number' || !Number.isInteger(sequence) || sequence < 0 || sequence >= COUNT) throw failed(`unexpected sequence ${String(sequence)} in the output`);
        copies[sequence] += 1;
      }
      const missing: number[] = [];
      for (let sequence = 0; sequence < COUNT; sequence++) if (copies[sequence] === 0) missing.push(sequence);
      const duplicated = events.length - (COUNT - missing.length);
      note(
        `sink outage ${OUTAGE_SECONDS}s: generated ${COUNT}, delivered ${events.length} lines (${COUNT - missing.length} distinct, ${duplicated} duplicate), ` +
          `sent_events ${drained.sent}, retried events seen during outage ${retriedDuringOutage} (total ${retriedTotal}), peak buffer bytes ${peakBufferBytes}`,
      );
      expect(missing.slice(0, 20)).toEqual([]);
      expect(missing).toHaveLength(0);
    },
    (OUTAGE_SECONDS * 3 + 60) * 1000,
  );
});
