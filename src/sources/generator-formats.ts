/** What the generator's messages look like. */
export type GeneratorFormat = 'text' | 'json' | 'apache_common';

export const GENERATOR_FORMATS: readonly GeneratorFormat[] = ['text', 'json', 'apache_common'];

/** Builds messages by sequence number; `begin` is called once per batch with the batch time. */
export interface MessageMaker {
  begin(nowMs: number): void;
  message(sequence: number): string;
}

/** Distinct messages per format; a power of two so `sequence & MASK` picks one. */
const POOL_SIZE = 1024;
const MASK = POOL_SIZE - 1;

const USERS = ['alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'grace', 'heidi', '-'];
const METHODS = ['GET', 'GET', 'GET', 'POST', 'PUT', 'DELETE'];
const PATHS = ['/', '/index.html', '/api/orders', '/api/users/42', '/static/app.js', '/login', '/healthz', '/images/logo.png'];
const STATUSES = [200, 200, 200, 200, 201, 204, 301, 304, 400, 404, 500, 503];
const LEVELS = ['info', 'info', 'info', 'debug', 'warn', 'error'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** A small seeded PRNG (mulberry32): the same messages on every run, so benchmarks compare. */
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

interface Request {
  ip: string;
  user: string;
  method: string;
  path: string;
  status: number;
  bytes: number;
  durationMs: number;
  level: string;
}

/** Precomputed requests: the messages are built once, not per event. */
function requests(): Request[] {
  const next = random(0x5eed);
  const pick = <T>(values: readonly T[]): T => values[Math.floor(next() * values.length)];
  return Array.from({ length: POOL_SIZE }, () => {
    const status = pick(STATUSES);
    return {
      ip: `${10 + Math.floor(next() * 200)}.${Math.floor(next() * 256)}.${Math.floor(next() * 256)}.${1 + Math.floor(next() * 254)}`,
      user: pick(USERS),
      method: pick(METHODS),
      path: pick(PATHS),
      status,
      bytes: status === 204 || status === 304 ? 0 : 200 + Math.floor(next() * 20_000),
      durationMs: Math.floor(next() * next() * 2_000),
      level: status >= 500 ? 'error' : status >= 400 ? 'warn' : pick(LEVELS),
    };
  });
}

const pad = (value: number): string => (value < 10 ? `0${value}` : String(value));

/** Apache's `%t`: `10/Oct/2000:13:55:36 +0000`, in UTC. */
function apacheTime(nowMs: number): string {
  const d = new Date(nowMs);
  return `${pad(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} +0000`;
}

/** Messages from a fixed pool (the time is not part of them). */
function pooled(pool: readonly string[]): MessageMaker {
  return { begin: () => undefined, message: (sequence) => pool[sequence & MASK] };
}

/** Apache common log lines: the request parts are precomputed, the time is set per batch. */
function apacheCommon(pool: readonly Request[]): MessageMaker {
  const heads = pool.map((r) => `${r.ip} - ${r.user} [`);
  const tails = pool.map((r) => `] "${r.method} ${r.path} HTTP/1.1" ${r.status} ${r.bytes === 0 ? '-' : r.bytes}`);
  let time = '';
  let timeSecond = Number.NaN;
  return {
    begin(nowMs) {
      const second = Math.floor(nowMs / 1000);
      if (second !== timeSecond) [time, timeSecond] = [apacheTime(nowMs), second];
    },
    message: (sequence) => heads[sequence & MASK] + time + tails[sequence & MASK],
  };
}

/** The message maker for a format; a fixed `message` overrides the format. */
export function messageMaker(format: GeneratorFormat, fixed?: string): MessageMaker {
  if (fixed !== undefined) return pooled(new Array<string>(POOL_SIZE).fill(fixed));
  const pool = requests();
  switch (format) {
    case 'json':
      return pooled(
        pool.map((r) =>
          JSON.stringify({ level: r.level, method: r.method, path: r.path, status: r.status, duration_ms: r.durationMs, user: r.user, client_ip: r.ip, msg: 'request completed' }),
        ),
      );
    case 'apache_common':
      return apacheCommon(pool);
    case 'text':
      return pooled(pool.map((r) => `${r.level.toUpperCase()} request completed method=${r.method} path=${r.path} status=${r.status} duration_ms=${r.durationMs} user=${r.user}`));
  }
}
