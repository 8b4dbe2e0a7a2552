import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { assertBuilt, killLeftovers, removeTempDirs, runCli, startCli, tempDir, writeConfig, type Exit } from '../e2e/cli-harness';
import { scanNdjson, SequenceTally } from '../helpers/ndjson-files';
import { parseCheckpoint, SINGLE_KEY } from '../../src/sources/checkpoint';
import { note } from '../helpers/notes';

const COUNT = 1_000_000;
const KILLS = 6;
/** `CHAOS_SEED=<n>` replays a failed run's kill schedule. */
const SEED = Number(process.env.CHAOS_SEED ?? Math.floor(Math.random() * 2 ** 32)) >>> 0;

/** mulberry32: a small seeded PRNG, so a failing kill schedule can be replayed. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = Math.imul(state ^ (state >>> 15), state | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** generator (checkpointed, only advancing on acks) → file sink behind a disk buffer. */
function chaosPipeline(dir: string, generator: string, buffer: string): string {
  return writeConfig(
    dir,
    `data_dir: ${join(dir, 'data')}
api:
  enabled: false
sources:
  gen:
    type: generator
${generator}
sinks:
  out:
    type: file
    inputs: [gen]
    path: ${join(dir, 'out', 'events.ndjson')}
${buffer}`,
  );
}

/** The generator's saved position: 0 before its first save. */
function checkpointOf(dir: string): number {
  const file = join(dir, 'data', 'gen', 'checkpoint.json');
  // The generator's checkpoint is a keyed one with a single key (format version 2).
  return existsSync(file) ? (parseCheckpoint(readFileSync(file, 'utf8'), file).get(SINGLE_KEY) ?? 0) : 0;
}

const sleep = (ms: number): Promise<void> => new Promise((wake) => setTimeout(wake, ms));

interface Kill {
  readonly atMs: number;
  /** The checkpoint when the run started and after it was killed. */
  readonly from: number;
  readonly to: number;
  readonly exit: Exit;
}

/** How long a run may take to save its first checkpoint before it is killed anyway. */
const STARTUP_CAP_MS = 60_000;

/**
 * Starts the CLI and SIGKILLs it after `delayMs`, or earlier (not before `minMs`) once this
 * run moved the checkpoint `stepEvents` on: on a fast machine, where 1M events take less
 * than the kill delays add up to, the kills still land spread over the job, not after it.
 * On a loaded machine (CI runs the integration suites side by side) the CLI can take longer
 * than `delayMs` to start, so the kill also waits for the run's first checkpoint save: a kill
 * that lands before the pipeline moved tests nothing, and six of them leave the whole job to
 * the final run.
 */
async function runAndKill(config: string, dir: string, delayMs: number, minMs: number, stepEvents: number): Promise<Kill> {
  const from = checkpointOf(dir);
  const running = startCli(['run', '-c', config]);
  const started = Date.now();
  let ended = false;
  void running.exited.then(() => (ended = true));
  const keepWaiting = (elapsed: number): boolean => {
    const moved = checkpointOf(dir) - from;
    if (elapsed < minMs) return true;
    if (moved === 0) return elapsed < STARTUP_CAP_MS;
    return elapsed < delayMs && moved < stepEvents;
  };
  for (let elapsed = 0; !ended && keepWaiting(elapsed); elapsed = Date.now() - started) await sleep(10);
  if (!ended && running.child.pid !== undefined) process.kill(running.child.pid, 'SIGKILL');
  const atMs = Date.now() - started;
  return { atMs, from, to: checkpointOf(dir), exit: await running.exited };
}

beforeAll(assertBuilt);
afterEach(killLeftovers);
afterAll(removeTempDirs);

describe('chaos: kill -9 and restart', () => {
  // The seed is in the name, so a failure says how to replay it: CHAOS_SEED=<seed>.
  it(`delivers every one of ${COUNT} acknowledged events at least once through ${KILLS} kill -9s of generator → disk buffer → file (seed ${SEED})`, async () => {
    const began = Date.now();
    const dir = tempDir('sluice-chaos-');
    const config = chaosPipeline(
      dir,
      `    count: ${COUNT}\n    rate: 0\n    batch_size: 1000\n    checkpoint: true\n    checkpoint_interval: 200ms\n    max_in_flight_events: 20000`,
      '    buffer:\n      mode: disk\n      fsync: interval\n      fsync_interval: 100ms\n',
    );
    const next = random(SEED);
    const kills: Kill[] = [];
    for (let i = 0; i < KILLS; i++) {
      const delayMs = 500 + next() * 2500;
      // At most 80% of an equal share of what is left, so the job cannot finish before the last kill.
      const stepEvents = Math.round(((0.3 + 0.5 * next()) * (COUNT - checkpointOf(dir))) / (KILLS - i + 1));
      const kill = await runAndKill(config, dir, delayMs, 500, stepEvents);
      note(`chaos: kill ${i + 1} after ${kill.atMs} ms, checkpoint ${kill.from} → ${kill.to}`);
      expect({ run: i + 1, signal: kill.exit.signal, stderr: kill.exit.signal === 'SIGKILL' ? '' : kill.exit.stderr }).toEqual({ run: i + 1, signal: 'SIGKILL', stderr: '' });
      kills.push(kill);
    }
    const final = await runCli(['run', '-c', config]);
    expect({ code: final.code, stderr: final.code === 0 ? '' : final.stderr }).toEqual({ code: 0, stderr: '' });
    expect(checkpointOf(dir)).toBe(COUNT);
    // At least one kill landed mid-job: the checkpoint had moved on, the count was not reached.
    // The schedule is in the expectation, so a failure shows where every kill landed.
    const schedule = kills.map((kill) => `${kill.from} → ${kill.to} after ${kill.atMs} ms`);
    expect({ landedMidJob: kills.some((kill) => kill.to > kill.from && kill.to < COUNT), schedule }).toEqual({ landedMidJob: true, schedule });

    const tally = new SequenceTally(COUNT);
    const scan = scanNdjson(join(dir, 'out', 'events.ndjson'), (event) => tally.add(event.sequence));
    const hidden = scan.torn.flatMap((line) => line.hidden.map((event) => event.sequence));
    const lost = hidden.filter((sequence) => typeof sequence !== 'number' || !tally.has(sequence));
    const seconds = ((Date.now() - began) / 1000).toFixed(1);
    note(`chaos: ${kills.length} kills, ${tally.unique} unique, ${tally.duplicates} duplicates, ${scan.torn.length} torn lines, seed ${SEED} (${scan.lines} lines, ${hidden.length} events glued onto torn lines, ${lost.length} of them nowhere else; ${seconds} s)`);
    for (const line of scan.torn) note(`chaos: torn line ${line.lineNumber} (${line.length} chars, hides ${line.hidden.length} events): ${line.preview}`);

    // A torn fragment is harmless only if nothing was appended onto it (see the test below).
    expect({ eventsGluedOntoTornLines: hidden, lost }).toEqual({ eventsGluedOntoTornLines: [], lost: [] });
    expect({ missing: tally.missing(), invalid: tally.invalid }).toEqual({ missing: [], invalid: 0 });
    expect(tally.unique).toBe(COUNT);
  }, 480_000);

  it('starts a new line when the output file ends in a line torn by a kill (regression: the file sink glued the next event onto the fragment, hiding it)', async () => {
    const dir = tempDir('sluice-chaos-');
    mkdirSync(join(dir, 'out'));
    writeFileSync(join(dir, 'out', 'events.ndjson'), '{"message":"torn by kill -9","sequ');
    const config = chaosPipeline(dir, '    count: 100\n    checkpoint: true', '');
    expect(await runCli(['run', '-c', config])).toMatchObject({ code: 0 });

    const tally = new SequenceTally(100);
    const scan = scanNdjson(join(dir, 'out', 'events.ndjson'), (event) => tally.add(event.sequence));
    expect(scan.torn.map((line) => ({ lineNumber: line.lineNumber, hidden: line.hidden.length }))).toEqual([{ lineNumber: 1, hidden: 0 }]);
    expect(tally.unique).toBe(100);
  });
});
