import { resolve } from 'node:path';
import { asyncScheduler, type SchedulerLike } from 'rxjs';
import type { Batch } from '../core/batch';
import { DeliveryError } from '../core/errors';
import { DELIVERED, type EventFailure, type SendResult, type Sink } from '../core/sink';
import { boolean, integer, oneOf, string } from '../config/schema';
import { defineSink } from '../components/define';
import { FileHandlePool } from './file-handles';
import { LINE_ENCODINGS, encodeLine, type LineEncoding } from './ndjson';
import { PathRenderer } from './strftime';

/** Options of {@link createFileSink}. */
export interface FileSinkOptions {
  /** Path template (`%Y %m %d %H %M %S %%`, UTC, from each event's timestamp); relative to the working directory. */
  readonly path: string;
  readonly fsync: boolean;
  readonly encoding: LineEncoding;
  readonly maxOpenFiles: number;
  /** The clock for events without a usable timestamp. */
  readonly scheduler?: SchedulerLike;
}

export const fileSink = defineSink({
  type: 'file',
  summary: 'Appends events as lines to local files named from their timestamps (hourly NDJSON by default).',
  options: {
    path: string({
      description: 'File path template; `%Y %m %d %H %M %S` come from the event timestamp in UTC (the current time when it has none), `%%` is a literal %.',
      default: 'data/logs/%Y-%m-%d/%H.ndjson',
      example: '/var/log/sluice/%Y-%m-%d/%H.ndjson',
    }),
    fsync: boolean({ description: 'fsync each file after every send, before acknowledging: acknowledged lines survive a power loss.', default: true, example: false }),
    encoding: oneOf(LINE_ENCODINGS, { description: '`ndjson`: each event as a JSON object; `text`: the message only.', default: 'ndjson', example: 'text' }),
    max_open_files: integer({ description: 'Most files kept open at once; the least recently used are closed first.', default: 64, example: 16, min: 1, max: 65_536 }),
  },
  batchDefaults: { maxEvents: 10_000, maxBytes: 4 * 1024 * 1024, timeoutMs: 1000 },
  example: { path: 'data/logs/%Y-%m-%d/%H.ndjson' },
  create(config, ctx) {
    return createFileSink({ path: config.path, fsync: config.fsync, encoding: config.encoding, maxOpenFiles: config.max_open_files, scheduler: ctx.scheduler });
  },
});

/** Errors that may pass: a full disk gets space, a busy resource frees up. */
const RETRYABLE_CODES = new Set(['ENOSPC', 'EDQUOT', 'EAGAIN', 'EWOULDBLOCK', 'EMFILE', 'ENFILE', 'EBUSY', 'EINTR', 'EIO']);

/** Read without `instanceof`: errors from fs may come from another realm (jest, vm). */
function deliveryError(path: string, thrown: unknown): DeliveryError {
  const { code, message } = (typeof thrown === 'object' && thrown !== null ? thrown : {}) as { code?: unknown; message?: unknown };
  const text = typeof message === 'string' ? message : String(thrown);
  return new DeliveryError(`writing ${path} failed: ${text}`, typeof code === 'string' && RETRYABLE_CODES.has(code), { cause: thrown });
}

/**
 * A sink that reads as a pipeline: group the batch by rendered path → encode each group as
 * one string → one append per file → fsync → acknowledge. Files stay open (LRU-bounded) and
 * are created with their directories. If only some files fail, only their events are
 * reported failed; if all fail, the send throws a {@link DeliveryError} that says whether a
 * retry may help (ENOSPC may, EACCES or ENOTDIR will not).
 */
export function createFileSink(options: FileSinkOptions): Sink {
  const { encoding, fsync } = options;
  const scheduler = options.scheduler ?? asyncScheduler;
  const renderer = new PathRenderer(options.path);
  const pool = new FileHandlePool(options.maxOpenFiles, fsync);

  const write = (path: string, text: string): Promise<void> =>
    pool.use(path, async (handle) => {
      const data = Buffer.from(text, 'utf8');
      let offset = 0;
      while (offset < data.length) offset += (await handle.write(data, offset, data.length - offset)).bytesWritten;
      if (fsync) await handle.sync();
    });

  return {
    async send(batch: Batch): Promise<SendResult> {
      const events = batch.events;
      if (events.length === 0) return DELIVERED;
      let now: string | undefined;
      const fallback = (): string => (now ??= new Date(scheduler.now()).toISOString());
      const pathOf = new Array<string>(events.length);
      const groups = new Map<string, string>();
      for (let i = 0; i < events.length; i++) {
        const path = renderer.pathFor(events[i].timestamp, fallback);
        pathOf[i] = path;
        groups.set(path, (groups.get(path) ?? '') + encodeLine(events[i], encoding));
      }
      const paths = [...groups.keys()];
      const outcomes = await Promise.allSettled(paths.map((path) => write(resolve(path), groups.get(path) as string)));
      const failed = new Map<string, DeliveryError>();
      outcomes.forEach((outcome, index) => {
        if (outcome.status === 'rejected') failed.set(paths[index], deliveryError(resolve(paths[index]), outcome.reason));
      });
      if (failed.size === 0) return DELIVERED;
      if (failed.size === paths.length) throw failed.values().next().value as DeliveryError;
      const failures: EventFailure[] = [];
      for (let i = 0; i < events.length; i++) {
        const error = failed.get(pathOf[i]);
        if (error) failures.push({ index: i, error, retryable: error.retryable });
      }
      return { failures };
    },
    flush: () => pool.syncAll(),
    close: () => pool.closeAll(),
  };
}
