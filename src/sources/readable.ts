import type { Readable } from 'node:stream';
import { Observable, Subscription } from 'rxjs';
import type { AckListener, AckOutcome } from '../core/ack';
import type { Batch, BatchMeta } from '../core/batch';
import type { LogEvent } from '../core/event';
import type { SourceContext } from '../components/context';
import type { FramerFactory } from './framing/framer';
import { newlineFraming } from './framing/newline';

/** The default line bound when neither `maxLineBytes` nor `framing` is given. */
const DEFAULT_MAX_LINE_BYTES = 1024 * 1024;

/** Options of {@link fromReadable}. */
export interface ReadableSourceOptions {
  /**
   * With the default newline framing: the longest line kept; longer lines are truncated to
   * this many bytes and counted (`line_too_long`). Default 1 MiB. Ignored with `framing`.
   */
  readonly maxLineBytes?: number;
  /** With the default newline framing: blank lines are skipped unless this is false. */
  readonly skipEmptyLines?: boolean;
  /**
   * How bytes become events: {@link newlineFraming} (the default, from `maxLineBytes`),
   * {@link octetCounting} (syslog over TCP), or {@link multiline} around either. A fresh
   * framer is made per subscription; its framing errors are counted in `errors_total`.
   */
  readonly framing?: FramerFactory;
  /**
   * Set on every batch, as is (hand a frozen object): what this stream is, such as
   * `{ source, input: 'tcp', peer, connection }` or `{ source, input: 'file', path }`.
   */
  readonly meta?: BatchMeta;
  /**
   * Runs when a batch's ack settles, with the input offset just past the batch's last line:
   * a file source commits it as its checkpoint once the outcome is ok.
   */
  readonly onSettled?: (endOffset: number, outcome: AckOutcome) => void;
}

/**
 * Turns a Node Readable into batches: one batch per read chunk, events `{ message, timestamp }`
 * framed by `options.framing` (newline-delimited by default) with one receive timestamp per
 * chunk, and the stream's `meta` on every batch. This is the adapter every stream source
 * uses (stdin, file tail, TCP and TLS connections).
 *
 * Backpressure is the source's credit: each batch takes credit through `ctx.track`, and when
 * credit runs out the stream is paused until acks return it, so at most one chunk beyond
 * the bound is ever in flight. On `ctx.stopping` (or the stream's end) the partial line held
 * is emitted and the observable completes; a stream error errors it. The caller owns the
 * stream: the adapter pauses it and detaches, but never destroys it (stdin's fd stays open).
 *
 * ```
 * chunks:  --"a\nb"--"c\n"--|
 * result:  --[a]-----[bc]---|
 * ```
 *
 * @example
 * import { fromReadable } from 'sluice';
 * const lines$ = fromReadable(socket, ctx, { maxLineBytes: 1024 * 1024 });
 * const frames$ = fromReadable(socket, ctx, { framing: octetCounting({ maxFrameBytes: 65536 }), meta: { source: ctx.id, input: 'tcp', peer } });
 *
 * @see stdinSource
 * @see Framer
 */
export function fromReadable(readable: Readable, ctx: SourceContext, options: ReadableSourceOptions): Observable<Batch> {
  const { credit, scheduler, metrics } = ctx;
  const { onSettled, meta } = options;
  const framing = options.framing ?? newlineFraming({ maxLineBytes: options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES, skipEmptyLines: options.skipEmptyLines });
  const countError = (errorType: string): void => metrics.error(errorType);
  return new Observable<Batch>((subscriber) => {
    const framer = framing(countError);
    let emittedTo = 0;
    let waiting = false;
    let done = false;

    const now = (): string => new Date(scheduler.now()).toISOString();

    const emit = (events: LogEvent[]): void => {
      const end = framer.consumed;
      const bytes = end - emittedTo;
      emittedTo = end;
      if (events.length === 0) return;
      const listener: AckListener | undefined = onSettled && ((outcome) => onSettled(end, outcome));
      const ack = ctx.track(events.length, bytes, listener);
      subscriber.next(meta === undefined ? { events, ack, bytes } : { events, ack, bytes, meta });
    };

    const wake = (): void => {
      waiting = false;
      if (!done) readable.resume();
    };

    const onData = (chunk: Buffer | string): void => {
      const events: LogEvent[] = [];
      framer.push(typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk, now(), events);
      emit(events);
      if (!done && !waiting && credit.exhausted) {
        readable.pause();
        waiting = true;
        credit.whenAvailable(wake);
      }
    };

    const finish = (): void => {
      if (done) return;
      const events: LogEvent[] = [];
      framer.end(now(), events);
      emit(events);
      detach();
      subscriber.complete();
    };

    const onError = (error: Error): void => {
      detach();
      subscriber.error(error);
    };

    // A container, so detach() can run before the stopping subscription exists.
    const stopSubscription = new Subscription();

    function detach(): void {
      if (done) return;
      done = true;
      readable.off('data', onData);
      readable.off('end', finish);
      readable.off('error', onError);
      if (waiting) credit.cancelWait(wake);
      waiting = false;
      stopSubscription.unsubscribe();
      // A stream that errors after we left must not crash the process for want of a listener.
      if (readable.listenerCount('error') === 0) readable.once('error', (error) => ctx.logger.warn({ err: error }, 'input stream failed after the source stopped'));
    }

    if (readable.readableEnded) {
      finish();
      return undefined;
    }
    readable.on('data', onData);
    readable.once('end', finish);
    readable.once('error', onError);
    // An explicitly paused stream (a previous subscription paused it) is not resumed by 'data'.
    if (credit.exhausted) {
      readable.pause();
      waiting = true;
      credit.whenAvailable(wake);
    } else {
      readable.resume();
    }
    // If stopping was already signalled, finish() runs during subscribe and add() then
    // unsubscribes at once (the container is already closed).
    stopSubscription.add(
      ctx.stopping.subscribe(() => {
        readable.pause();
        finish();
      }),
    );

    return () => {
      if (done) return;
      detach();
      if (!readable.readableEnded) readable.pause();
    };
  });
}
