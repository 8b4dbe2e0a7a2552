// The module object itself (a default import), not a namespace copy, so patches reach every caller.
import fs from 'node:fs';

/** Synchronous fs calls that block the event loop: how many, their total and longest. */
export interface SyncFsTotals {
  readonly calls: number;
  readonly totalMs: number;
  readonly maxMs: number;
}

/** All calls, and each function's that was called. */
export interface SyncFsReport extends SyncFsTotals {
  readonly byName: Readonly<Record<string, SyncFsTotals>>;
}

/** The blocking calls the WAL makes (writes, segment open/close/delete, read-back, recovery). */
const NAMES = ['writevSync', 'writeSync', 'readSync', 'openSync', 'closeSync', 'rmSync', 'ftruncateSync', 'fstatSync', 'readdirSync', 'readFileSync'] as const;

type SyncName = (typeof NAMES)[number];
type Mutable = Record<SyncName, (...args: unknown[]) => unknown>;

/**
 * Times every call of the synchronous fs functions above, process-wide, until `stop()`:
 * attributes event-loop delay to blocking file I/O. Works because compiled modules call
 * `fs.writevSync` through the module object at call time.
 */
export function timeSyncFs(): { stop(): SyncFsReport } {
  const target = fs as unknown as Mutable;
  const originals = new Map<SyncName, (...args: unknown[]) => unknown>();
  const totals = new Map<SyncName, { calls: number; totalMs: number; maxMs: number }>();
  for (const name of NAMES) {
    const original = target[name];
    const total = { calls: 0, totalMs: 0, maxMs: 0 };
    originals.set(name, original);
    totals.set(name, total);
    target[name] = function timed(this: unknown, ...args: unknown[]): unknown {
      const started = performance.now();
      try {
        return original.apply(this, args);
      } finally {
        const ms = performance.now() - started;
        total.calls++;
        total.totalMs += ms;
        if (ms > total.maxMs) total.maxMs = ms;
      }
    };
  }
  return {
    stop() {
      for (const [name, original] of originals) target[name] = original;
      const called = [...totals].filter(([, total]) => total.calls > 0);
      return {
        calls: called.reduce((sum, [, total]) => sum + total.calls, 0),
        totalMs: called.reduce((sum, [, total]) => sum + total.totalMs, 0),
        maxMs: called.reduce((max, [, total]) => Math.max(max, total.maxMs), 0),
        byName: Object.fromEntries(called),
      };
    },
  };
}
