import { closeSync, existsSync, mkdirSync, openSync, readSync, renameSync, writeSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { scaled } from './scenario';

/** Bump when the line shape changes, so a stale cached file is never reused. */
const FIXTURE_VERSION = 2;
const TARGET_BYTES = 200 * 1024 * 1024;
const CHUNK_BYTES = 4 * 1024 * 1024;

const LEVELS = ['info', 'info', 'info', 'info', 'debug', 'warn', 'error'];
const METHODS = ['GET', 'GET', 'GET', 'POST', 'PUT', 'DELETE'];
const PATHS = ['/api/orders', '/api/users/42', '/login', '/healthz', '/api/cart/items', '/search'];
const STATUSES = [200, 200, 200, 200, 201, 204, 304, 400, 404, 500, 503];
const USERS = ['alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'grace', 'heidi'];

/** Where fixtures live between runs: `SLUICE_BENCH_CACHE`, else `~/.cache/sluice-bench`. */
export function cacheDir(): string {
  return process.env.SLUICE_BENCH_CACHE ?? join(homedir(), '.cache', 'sluice-bench');
}

/** A seeded PRNG (mulberry32): the same file on every machine, so results compare. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** One ~200-byte JSON log line (newline included) with the fields real services log. */
function line(next: () => number, index: number, startMs: number): string {
  const pick = <T>(values: readonly T[]): T => values[Math.floor(next() * values.length)];
  const method = pick(METHODS);
  const path = pick(PATHS);
  const status = pick(STATUSES);
  const level = status >= 500 ? 'error' : status >= 400 ? 'warn' : pick(LEVELS);
  let trace = '';
  for (let i = 0; i < 4; i++) trace += Math.floor(next() * 0x100000000).toString(16).padStart(8, '0');
  const event = {
    timestamp: new Date(startMs + index * 3).toISOString(),
    level,
    message: `${method} ${path} ${status}`,
    http: { method, status },
    duration_ms: Math.round(next() * next() * 200_000) / 100,
    user: pick(USERS),
    trace_id: trace,
  };
  return `${JSON.stringify(event)}\n`;
}

/**
 * The NDJSON fixture (~200 MiB of ~200-byte lines, scaled by `SLUICE_BENCH_SCALE`),
 * generated once and cached; written to a temporary name and renamed, so an interrupted
 * generation never leaves a short file behind.
 */
export function ndjsonFixture(): string {
  const target = scaled(TARGET_BYTES);
  const dir = cacheDir();
  const path = join(dir, `logs-v${FIXTURE_VERSION}-${target}.ndjson`);
  if (existsSync(path)) return path;
  mkdirSync(dir, { recursive: true });
  const partial = `${path}.${process.pid}.partial`;
  const fd = openSync(partial, 'w');
  try {
    const next = random(0x51ce);
    const startMs = Date.UTC(2024, 4, 1);
    let written = 0;
    let index = 0;
    while (written < target) {
      const parts: string[] = [];
      let chunk = 0;
      while (chunk < CHUNK_BYTES && written + chunk < target) {
        const text = line(next, index++, startMs);
        parts.push(text);
        chunk += text.length; // ASCII only: characters are bytes
      }
      writeSync(fd, parts.join(''));
      written += chunk;
    }
  } finally {
    closeSync(fd);
  }
  renameSync(partial, path);
  return path;
}

/**
 * Reads a file once so the timed run reads from the page cache, not the disk; counts its
 * bytes and lines (a last line without a newline counts) so a run can be checked.
 */
export function warmPageCache(path: string): { readonly bytes: number; readonly lines: number } {
  const fd = openSync(path, 'r');
  const buffer = Buffer.allocUnsafe(CHUNK_BYTES);
  let bytes = 0;
  let lines = 0;
  let last = 10;
  try {
    let read: number;
    while ((read = readSync(fd, buffer, 0, buffer.length, null)) > 0) {
      bytes += read;
      for (let at = buffer.indexOf(10); at >= 0 && at < read; at = buffer.indexOf(10, at + 1)) lines++;
      last = buffer[read - 1];
    }
  } finally {
    closeSync(fd);
  }
  return { bytes, lines: last === 10 ? lines : lines + 1 };
}

/**
 * The first `lines` lines of the NDJSON fixture as a file of their own (cached like it), for
 * scenarios whose path is too slow to take the whole 200 MiB.
 */
export function ndjsonHeadFixture(lines: number): string {
  const source = ndjsonFixture();
  const path = join(cacheDir(), `logs-v${FIXTURE_VERSION}-head-${lines}.ndjson`);
  if (existsSync(path)) return path;
  const partial = `${path}.${process.pid}.partial`;
  const input = openSync(source, 'r');
  const output = openSync(partial, 'w');
  try {
    const buffer = Buffer.allocUnsafe(CHUNK_BYTES);
    let left = lines;
    let position = 0;
    while (left > 0) {
      const read = readSync(input, buffer, 0, buffer.length, position);
      // Whole lines only: the next read starts just past the last newline taken.
      let end = 0;
      for (let newline = buffer.indexOf(10); left > 0 && newline >= 0 && newline < read; newline = buffer.indexOf(10, end)) {
        end = newline + 1;
        left--;
      }
      if (end === 0) throw new Error(`the fixture ${source} has fewer than ${lines} lines`);
      writeSync(output, buffer, 0, end);
      position += end;
    }
  } finally {
    closeSync(input);
    closeSync(output);
  }
  renameSync(partial, path);
  return path;
}

/** The NDJSON fixture as a scenario's input: generated by `prepare`, read into the page cache by `setup`. */
export interface PageCachedInput {
  prepare(): void;
  setup(): Promise<void>;
  /** The fixture's path (after `setup`). */
  readonly path: string;
  /** Its size and line count (after `setup`): what a run must deliver. */
  readonly expected: { readonly bytes: number; readonly lines: number };
}

/** The ~200 MiB NDJSON fixture from the page cache, the input of every file/stdin JSON scenario. */
export function pageCachedNdjson(): PageCachedInput {
  let path = '';
  let expected = { bytes: 0, lines: 0 };
  return {
    prepare: () => void ndjsonFixture(),
    async setup() {
      path = ndjsonFixture();
      expected = warmPageCache(path);
    },
    get path() {
      return path;
    },
    get expected() {
      return expected;
    },
  };
}
