import { performance } from 'node:perf_hooks';

/** The signals that ask sluice to stop: `kill`/systemd/Kubernetes send TERM, Ctrl-C sends INT. */
const STOP_SIGNALS: readonly NodeJS.Signals[] = ['SIGTERM', 'SIGINT'];

/** Exit code after a second signal: 128 + SIGINT, what shells report for an interrupted job. */
export const FORCED_EXIT_CODE = 130;

/**
 * Repeats of the first signal this soon after it are the same request, not a second one: on
 * Ctrl-C under `npm start` the terminal signals the whole process group and npm forwards its
 * own copy to sluice as well, which must not turn a graceful stop into an immediate exit.
 */
export const REPEAT_WINDOW_MS = 500;

/**
 * Traps SIGTERM and SIGINT. The first calls `onFirst` (a graceful, bounded drain); a later
 * one means the operator will not wait, so `onSecond` runs (it must exit at once). Returns a
 * disposer that restores Node's default handling.
 */
export function trapStopSignals(onFirst: (signal: NodeJS.Signals) => void, onSecond: (signal: NodeJS.Signals) => void): () => void {
  let firstAt: number | undefined;
  const handler = (signal: NodeJS.Signals): void => {
    const now = performance.now();
    if (firstAt === undefined) {
      firstAt = now;
      onFirst(signal);
    } else if (now - firstAt >= REPEAT_WINDOW_MS) {
      onSecond(signal);
    }
  };
  for (const signal of STOP_SIGNALS) process.on(signal, handler);
  return () => {
    for (const signal of STOP_SIGNALS) process.off(signal, handler);
  };
}

/**
 * Resolves once everything written to stdout has been handed to the OS. The console sink
 * writes NDJSON there; exiting with writes queued (a slow pipe reader) would cut the output.
 */
export function stdoutDrained(stream: NodeJS.WriteStream = process.stdout): Promise<void> {
  if (stream.writableLength === 0 || stream.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      stream.off('drain', done);
      stream.off('close', done);
      stream.off('error', done);
      resolve();
    };
    stream.on('drain', done);
    stream.on('close', done);
    stream.on('error', done);
  });
}
