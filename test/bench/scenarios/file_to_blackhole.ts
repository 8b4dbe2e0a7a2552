import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI_NODE_ARGS } from '../cli';
import type { ProbeReport } from '../cli-probe';
import { cacheDir, ndjsonFixture, warmPageCache } from '../fixtures';
import { expectEvents, type Scenario } from '../scenario';
import { freePort } from './baseline_http_decode';

const FILES = 10;

/**
 * The directory of `*.log` files tailed: `SLUICE_BENCH_TAIL_DIR` (for instance Fluent Bit's
 * own `tail10`, to run both on the very same files), else the NDJSON fixture cut into 10
 * files at line boundaries (~200 MiB in all), cached beside it.
 */
function tailDir(): string {
  const given = process.env.SLUICE_BENCH_TAIL_DIR;
  if (given !== undefined) return given;
  const source = ndjsonFixture();
  const dir = join(cacheDir(), `tail${FILES}-${source.split('/').pop() ?? 'fixture'}`);
  if (existsSync(join(dir, 'done'))) return dir;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const text = readFileSync(source);
  let start = 0;
  for (let i = 0; i < FILES; i++) {
    const target = Math.floor(((i + 1) * text.length) / FILES);
    const end = i === FILES - 1 ? text.length : text.indexOf(10, target - 1) + 1;
    const partial = join(dir, `f${i}.log.partial`);
    const fd = openSync(partial, 'w');
    writeSync(fd, text, start, end - start);
    closeSync(fd);
    renameSync(partial, join(dir, `f${i}.log`));
    start = end;
  }
  writeFileSync(join(dir, 'done'), '');
  return dir;
}

/** `sluice_component_sent_events_total` of component `out`, from the API's Prometheus text. */
async function sentEvents(port: number): Promise<number | undefined> {
  try {
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    const match = /^sluice_component_sent_events_total\{[^}]*component_id="out"[^}]*\} (\d+(?:\.\d+)?(?:e\+\d+)?)$/m.exec(text);
    return match === null ? 0 : Number(match[1]);
  } catch {
    return undefined; // not listening yet
  }
}

let input = { dir: '', bytes: 0, lines: 0 };

/**
 * Fluent Bit's `file10` scenario (its 411 MiB/s figure): 10 files read from the page cache by
 * the `file` source of the CLI (`sluice run`) into the blackhole. Timed as Fluent Bit is:
 * the whole process from its spawn (start-up included) until the blackhole has counted every
 * line; a tail never ends by itself, so the run then stops it with SIGTERM.
 */
export const scenario: Scenario = {
  name: 'file_to_blackhole',
  description: `sluice run: file source tailing ${FILES} page-cached files (~200 MiB; SLUICE_BENCH_TAIL_DIR for others) → blackhole, whole process timed`,
  bytesBasis: 'file bytes',
  prepare: () => void tailDir(),
  setup() {
    const dir = tailDir();
    let bytes = 0;
    let lines = 0;
    for (const name of readdirSync(dir).filter((file) => file.endsWith('.log'))) {
      const counted = warmPageCache(join(dir, name));
      bytes += counted.bytes;
      lines += counted.lines;
    }
    input = { dir, bytes, lines };
    return Promise.resolve();
  },
  async run() {
    const work = mkdtempSync(join(tmpdir(), 'sluice-bench-tail-'));
    try {
      const port = await freePort();
      const probe = join(work, 'probe.json');
      const config = join(work, 'pipeline.yaml');
      writeFileSync(
        config,
        `data_dir: ${JSON.stringify(work)}
api: { address: "127.0.0.1:${port}" }
sources:
  tail:
    type: file
    include: [${JSON.stringify(`${input.dir}/*.log`)}]
    max_in_flight_events: 100000
    max_in_flight_bytes: 64MiB
sinks:
  out:
    type: blackhole
    inputs: [tail]
    batch: { max_events: 10000 }
`,
      );
      const started = performance.now();
      const child = spawn(process.execPath, [...CLI_NODE_ARGS, 'run', '-c', config], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, SLUICE_BENCH_PROBE: probe } });
      let stderr = '';
      child.stderr?.setEncoding('utf8').on('data', (text: string) => (stderr = (stderr + text).slice(-16_384)));
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      let sent = 0;
      while (sent < input.lines) {
        if (child.exitCode !== null) throw new Error(`sluice exited early; stderr ends:\n${stderr}`);
        await new Promise((resolve) => setTimeout(resolve, 10));
        sent = (await sentEvents(port)) ?? 0;
      }
      const durationMs = performance.now() - started;
      child.kill('SIGTERM');
      if ((await exited) !== 0) throw new Error(`sluice did not stop cleanly; stderr ends:\n${stderr}`);
      expectEvents('file_to_blackhole', sent, input.lines);
      const usage = JSON.parse(readFileSync(probe, 'utf8')) as ProbeReport;
      return { events: sent, bytes: input.bytes, durationMs, cpuMs: usage.cpuMs, peakRssMiB: usage.peakRssMiB };
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  },
};

