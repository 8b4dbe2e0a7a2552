import type { ServerDuplexStream, ServiceError } from '@grpc/grpc-js';
import type { Credit } from '../../core/credit';

/** One Stream call's handle: whether answers can still be written, and its owed answers. */
export interface StreamHandle {
  /** False once the call ended (by either side): later answers are dropped. */
  readonly open: boolean;
  /** A batch was handed to the pipeline: one more answer owed. */
  owe(): void;
  /** An owed answer was written. */
  settle(): void;
  /** Ends the call with `error` (a malformed request). */
  fail(error: ServiceError): void;
}

class StreamState implements StreamHandle {
  open = true;
  private owed = 0;
  private halfClosed = false;

  constructor(
    readonly call: ServerDuplexStream<Buffer, Buffer>,
    private readonly gate: StreamGate,
  ) {}

  owe(): void {
    this.owed++;
  }

  settle(): void {
    this.owed--;
    this.maybeEnd();
  }

  /** The client half-closed: end once every batch it sent is answered. */
  clientEnded(): void {
    this.halfClosed = true;
    this.maybeEnd();
  }

  maybeEnd(): void {
    if (!this.open || this.owed > 0) return;
    if (this.halfClosed) {
      this.close();
      this.call.end();
    } else if (this.gate.drainError !== undefined) {
      this.fail(this.gate.drainError);
    }
  }

  fail(error: ServiceError): void {
    if (!this.open) return;
    this.close();
    // grpc-js turns an 'error' on a server stream into its status and ends the call.
    this.call.emit('error', error);
  }

  close(): void {
    if (!this.open) return;
    this.open = false;
    this.gate.remove(this);
  }
}

/**
 * The Stream calls of one source and the credit that paces them. When a batch leaves the
 * source out of credit, every stream is paused: grpc-js then stops asking HTTP/2 for more
 * messages, so once its small read-ahead is full (16 messages a stream) the window closes and
 * the client's writes block, which is backpressure all the way to the producing service.
 * Streams resume on a later turn once acks return credit. A drain pauses every stream and
 * ends each with UNAVAILABLE as soon as its answers are written, so clients reconnect
 * elsewhere and resend what was never answered.
 */
export class StreamGate {
  private readonly streams = new Set<StreamState>();
  private waiting = false;
  /** Set once draining: the status every stream ends with once its answers are written. */
  drainError: ServiceError | undefined;

  constructor(private readonly credit: Credit) {}

  /** Open streams. */
  get size(): number {
    return this.streams.size;
  }

  /** Registers a new Stream call (paused at once while credit is out or draining). */
  add(call: ServerDuplexStream<Buffer, Buffer>): StreamHandle {
    const state = new StreamState(call, this);
    this.streams.add(state);
    if (this.waiting || this.drainError !== undefined) call.pause();
    call.on('end', () => state.clientEnded());
    call.on('cancelled', () => state.close());
    // A client that reset the stream: nothing to answer any more (its acks still settle).
    call.on('error', () => state.close());
    return state;
  }

  /** Forgets a stream that ended. */
  remove(state: StreamState): void {
    this.streams.delete(state);
  }

  /** Called after each batch a stream handed on: pauses every stream while credit is out. */
  afterBatch(): void {
    if (this.waiting || !this.credit.exhausted) return;
    this.waiting = true;
    for (const stream of this.streams) stream.call.pause();
    this.credit.whenAvailable(this.wake);
  }

  /** Credit is back: resume on a later turn (the release runs inside an ack's settlement). */
  private readonly wake = (): void => {
    setImmediate(() => {
      this.waiting = false;
      if (this.drainError !== undefined) return;
      for (const stream of this.streams) stream.call.resume();
      // Credit may have run out again while we waited for this turn.
      this.afterBatch();
    });
  };

  /** Stops reading every stream; each ends with `error` once its answers are written. */
  drain(error: ServiceError): void {
    this.drainError = error;
    for (const stream of [...this.streams]) {
      stream.call.pause();
      stream.maybeEnd();
    }
  }

  /** Ends every stream still open with `error` (the drain deadline). */
  failAll(error: ServiceError): void {
    for (const stream of [...this.streams]) stream.fail(error);
    if (this.waiting) this.credit.cancelWait(this.wake);
    this.waiting = false;
  }
}
