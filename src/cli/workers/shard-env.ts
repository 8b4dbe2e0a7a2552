import { availableParallelism } from 'node:os';
import type { Shard } from '../../core/shard';

/** Set by the primary in each worker's environment: which worker it is and how many there are. */
export const WORKER_INDEX_ENV = 'SLUICE_WORKER_INDEX';
export const WORKER_COUNT_ENV = 'SLUICE_WORKER_COUNT';

/** The `workers` setting as a number: `auto` is one per core the process may use. */
export function workerCount(setting: number | 'auto'): number {
  return setting === 'auto' ? Math.max(1, availableParallelism()) : setting;
}

/**
 * The shard this process runs when a primary forked it, read from the environment here and
 * nowhere else (components get it from their context); undefined outside a worker.
 */
export function shardFromEnv(env: NodeJS.ProcessEnv): Shard | undefined {
  const index = Number(env[WORKER_INDEX_ENV]);
  const count = Number(env[WORKER_COUNT_ENV]);
  if (env[WORKER_INDEX_ENV] === undefined || !Number.isInteger(index) || !Number.isInteger(count) || count < 1 || index < 0 || index >= count) return undefined;
  return { index, count };
}

/** The environment of worker `index` of `count`. */
export function workerEnv(index: number, count: number): Record<string, string> {
  return { [WORKER_INDEX_ENV]: String(index), [WORKER_COUNT_ENV]: String(count) };
}
