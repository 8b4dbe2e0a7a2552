import cluster, { type Worker } from 'node:cluster';
import { constants } from 'node:os';
import type { Logger } from '../../observability/logger';
import { workerEnv } from './shard-env';

/** Restart delays after a crash: doubling from the first to the last, reset by a worker that ran a while. */
const FIRST_RESTART_MS = 500;
const LAST_RESTART_MS = 30_000;
/** A worker that ran this long before crashing restarts after the first delay again. */
const HEALTHY_RUN_MS = 10_000;
/** The exit code of a worker whose config does not load: restarting it would only fail again. */
const INVALID_CONFIG = 2;

/** What the supervisor tells the primary about a worker slot. */
export interface SupervisorHooks {
  /** A worker process was forked for `slot` (at start or as a restart). */
  readonly started?: (slot: number, worker: Worker) => void;
  /** The worker of `slot` exited (it may be restarted later). */
  readonly exited?: (slot: number) => void;
}

interface Slot {
  worker?: Worker;
  startedAt: number;
  crashes: number;
  restart?: NodeJS.Timeout;
  /** Set once the slot is over: the worker finished by itself or exited while stopping. */
  code?: number;
}

const exitCode = (code: number | null, signal: string | null): number =>
  signal !== null ? 128 + (constants.signals[signal as NodeJS.Signals] ?? 0) : (code ?? 1);

/**
 * Keeps `count` workers running the pipeline (forked with `cluster`, which must be set up
 * by the caller). A worker that exits 0 by itself finished its bounded sources and stays
 * down; one that crashed (a signal or a non-zero code, not while stopping) is restarted
 * after a backoff; exit code 2 (invalid config) is not retried.
 * `done` resolves with the worst exit code once every slot is over.
 */
export class Supervisor {
  readonly done: Promise<number>;
  private readonly slots: Slot[];
  private stopping = false;
  private resolveDone: (code: number) => void = () => undefined;

  constructor(
    private readonly count: number,
    private readonly logger: Logger,
    private readonly hooks: SupervisorHooks = {},
  ) {
    this.slots = Array.from({ length: count }, () => ({ startedAt: 0, crashes: 0 }));
    this.done = new Promise((resolve) => (this.resolveDone = resolve));
  }

  start(): void {
    for (let slot = 0; slot < this.count; slot++) this.fork(slot);
  }

  /** Graceful stop: no more restarts; every worker gets SIGTERM and drains as a single process does. */
  stop(signal: NodeJS.Signals = 'SIGTERM'): void {
    this.stopping = true;
    for (const slot of this.slots) {
      if (slot.restart !== undefined) clearTimeout(slot.restart);
      slot.restart = undefined;
      // A slot waiting for its restart is over; a running worker's slot is over when it exits.
      if (slot.worker !== undefined) slot.worker.process.kill(signal);
      else slot.code ??= 0;
    }
    this.settleIfOver();
  }

  /** Second signal: every worker dies now. */
  kill(): void {
    this.stopping = true;
    for (const slot of this.slots) slot.worker?.process.kill('SIGKILL');
  }

  /** Process ids of the running workers (tests, logs). */
  pids(): number[] {
    return this.slots.flatMap((slot) => (slot.worker?.process.pid === undefined ? [] : [slot.worker.process.pid]));
  }

  private fork(slot: number): void {
    const state = this.slots[slot];
    state.restart = undefined;
    const worker = cluster.fork(workerEnv(slot, this.count));
    state.worker = worker;
    state.startedAt = Date.now();
    worker.on('error', (error) => this.logger.debug({ err: error, worker: slot }, 'worker IPC error'));
    worker.once('exit', (code, signal) => {
      // Once running, a worker traps SIGTERM/SIGINT and exits with a code; killed by one of
      // them while stopping, it was still loading (nothing read, nothing in flight): a clean stop.
      const beforeTrap = this.stopping && (signal === 'SIGTERM' || signal === 'SIGINT');
      this.exited(slot, worker, beforeTrap ? 0 : exitCode(code, signal), signal);
    });
    this.logger.info({ worker: slot, pid: worker.process.pid }, 'worker started');
    this.hooks.started?.(slot, worker);
  }

  private exited(slot: number, worker: Worker, code: number, signal: string | null): void {
    const state = this.slots[slot];
    if (state.worker !== worker) return;
    state.worker = undefined;
    this.hooks.exited?.(slot);
    const ranMs = Date.now() - state.startedAt;
    if (this.stopping || code === 0) {
      state.code = code;
      this.logger[code === 0 ? 'info' : 'warn']({ worker: slot, code, signal }, this.stopping ? 'worker stopped' : 'worker finished (its sources completed)');
    } else if (code === INVALID_CONFIG) {
      // The others load the same config and exit 2 by themselves (worker 0 prints why).
      state.code = code;
      this.logger.error({ worker: slot, code }, 'worker could not load the config; not restarting it');
    } else {
      state.crashes = ranMs >= HEALTHY_RUN_MS ? 1 : state.crashes + 1;
      const delay = Math.min(LAST_RESTART_MS, FIRST_RESTART_MS * 2 ** (state.crashes - 1));
      this.logger.error({ worker: slot, code, signal, ran_ms: ranMs, restart_in_ms: delay }, 'worker crashed; restarting it');
      state.restart = setTimeout(() => this.fork(slot), delay);
    }
    this.settleIfOver();
  }

  private settleIfOver(): void {
    if (this.slots.some((slot) => slot.code === undefined)) return;
    this.resolveDone(Math.max(...this.slots.map((slot) => slot.code ?? 0)));
  }
}
