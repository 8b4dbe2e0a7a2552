/** How long to wait before each retry: exponential growth, a cap, and jitter. */
export interface BackoffOptions {
  /** Delay (ms) before the first retry, before jitter. */
  readonly initialMs: number;
  /** Longest delay (ms) between two tries, jitter included. */
  readonly maxMs: number;
  /** Growth of the delay from one retry to the next (1 keeps it constant). */
  readonly multiplier: number;
  /**
   * Spread (0..1) around the delay: each delay is drawn uniformly from
   * `[base·(1−jitter), base·(1+jitter)]`, then capped at `maxMs`. 0 turns jitter off; 0.2
   * is "± 20%"; 1 spreads delays over `[0, 2·base]`, like full jitter with the same mean.
   */
  readonly jitter: number;
}

/** Defaults used wherever an option is left out. */
export const DEFAULT_BACKOFF: BackoffOptions = Object.freeze({ initialMs: 100, maxMs: 30_000, multiplier: 2, jitter: 0.2 });

/** Fills `options` with {@link DEFAULT_BACKOFF}; throws a RangeError naming `owner` on a bad value. */
export function backoffOptions(options: Partial<BackoffOptions>, owner = 'backoff'): BackoffOptions {
  const { initialMs = DEFAULT_BACKOFF.initialMs, maxMs = DEFAULT_BACKOFF.maxMs } = options;
  const { multiplier = DEFAULT_BACKOFF.multiplier, jitter = DEFAULT_BACKOFF.jitter } = options;
  if (!(initialMs >= 0 && maxMs >= 0)) throw new RangeError(`${owner}: delays must be at least 0`);
  if (!(multiplier >= 1)) throw new RangeError(`${owner}: multiplier must be at least 1`);
  if (!(jitter >= 0 && jitter <= 1)) throw new RangeError(`${owner}: jitter must be within 0..1`);
  return { initialMs, maxMs, multiplier, jitter };
}

/**
 * The delay (whole ms) before retry number `attempt` (1 for the first retry):
 * `min(maxMs, initialMs · multiplier^(attempt−1))`, jittered symmetrically by `random()`
 * (a number in [0, 1); 0.5 means no shift) and capped at `maxMs`. Pure: the same inputs
 * always give the same delay, so tests inject a seeded `random`.
 *
 * ```
 * attempt:   1    2    3    4     5     (initial 100ms, multiplier 2, max 1s, jitter 0)
 * delay:     100  200  400  800   1000
 * ```
 *
 * @example
 * import { backoffDelay } from 'sluice';
 * const delay = backoffDelay(3, { initialMs: 100, maxMs: 30_000, multiplier: 2, jitter: 0.2 }); // 320..480
 *
 * @see retry
 */
export function backoffDelay(attempt: number, options: BackoffOptions, random: () => number = Math.random): number {
  const { initialMs, maxMs, multiplier, jitter } = options;
  const base = Math.min(maxMs, initialMs * Math.pow(multiplier, Math.max(0, attempt - 1)));
  const spread = jitter > 0 ? base * jitter * (2 * random() - 1) : 0;
  return Math.max(0, Math.round(Math.min(maxMs, base + spread)));
}
