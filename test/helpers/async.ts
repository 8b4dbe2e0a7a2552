/** A promise with its settle functions exposed, for fakes whose timing a test controls. */
export interface Deferred<T> {
  readonly promise: Promise<T>;
  resolve(value: T): void;
  reject(reason: unknown): void;
}

/** A fresh {@link Deferred}. */
export function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (reason: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Resolves after every queued microtask (promise callback) and pending I/O callback has run. */
export function settle(): Promise<void> {
  return new Promise((done) => setImmediate(done));
}

/**
 * Resolves once `condition()` holds, checking after every macrotask turn (then every
 * millisecond, so a wait on real I/O does not spin); rejects after `timeoutMs` of wall time.
 */
export async function until(condition: () => boolean, timeoutMs = 2_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (let turn = 0; ; turn++) {
    if (condition()) return;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    if (turn < 1_000) await settle();
    else await new Promise((done) => setTimeout(done, 1));
  }
}
