/** Thrown when an acknowledgement is settled more times than it was retained: always a bug. */
export class AckError extends Error {
  override name = 'AckError';
}

/** A configuration problem, located in its file where one is known. */
export class ConfigError extends Error {
  override name = 'ConfigError';
  constructor(
    message: string,
    readonly location?: { file?: string; line?: number; column?: number; path?: string },
  ) {
    super(message);
  }

  /** `file:line:col: message`, the form editors and `sluice validate` print. */
  format(): string {
    const where = [this.location?.file, this.location?.line, this.location?.column].filter((p) => p !== undefined);
    return where.length > 0 ? `${where.join(':')}: ${this.message}` : this.message;
  }
}

/**
 * A failure to deliver: `retryable` says whether trying again may succeed. `retryAfterMs`
 * is the server's own hint of when to try again (an HTTP 429/503 `Retry-After`, a Kafka
 * throttle time): retry stages wait at least that long instead of their computed backoff
 * (capped by their `max`). Absent when the server gave none.
 */
export class DeliveryError extends Error {
  override name = 'DeliveryError';
  readonly retryAfterMs?: number;
  constructor(
    message: string,
    readonly retryable: boolean,
    options?: { cause?: unknown; retryAfterMs?: number },
  ) {
    super(message, options);
    if (options?.retryAfterMs !== undefined) this.retryAfterMs = options.retryAfterMs;
  }
}

/** Errors that a retry cannot cure: a bug, or data the code cannot handle (a stack overflow in `JSON.stringify`). */
const DETERMINISTIC = new Set(['TypeError', 'RangeError', 'SyntaxError', 'ReferenceError', 'URIError', 'EvalError']);

/** An OS or network error code (`ECONNRESET`, undici's `UND_ERR_SOCKET`) on the error or its causes; Node's `ERR_*` argument codes are not. */
function hasSystemCode(error: unknown): boolean {
  for (let depth = 0; depth < 4 && typeof error === 'object' && error !== null; depth++) {
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string' && !code.startsWith('ERR_')) return true;
    error = (error as { cause?: unknown }).cause;
  }
  return false;
}

/**
 * Whether a failure may pass on another try: the one classification every stage uses (a
 * thrown send, a rejection that names no events, a whole-batch failure). A
 * {@link DeliveryError} says so itself; an error carrying an OS code (a refused connection,
 * even wrapped in fetch's TypeError) is an outage, retryable; a TypeError/RangeError/
 * SyntaxError is a bug or bad data, permanent, so one poison batch cannot loop in retry
 * forever; anything else (a plain Error: an abandoned branch, a torn-down stage) is retryable.
 */
export function isRetryable(error: Error): boolean {
  if (error instanceof DeliveryError) return error.retryable;
  if (hasSystemCode(error)) return true;
  return !DETERMINISTIC.has(error.name);
}

/** Wraps anything thrown into an Error. */
export function toError(value: unknown): Error {
  return value instanceof Error ? value : new Error(String(value));
}

/** One event a send could not deliver (mirrors the sink's per-event failure). */
export interface FailedEvent {
  /** Index of the event in the batch whose ack carries this error. */
  readonly index: number;
  readonly error: Error;
  readonly retryable: boolean;
  /** How many times delivery was attempted (set by retry stages; 1 when absent). */
  readonly attempts?: number;
  /**
   * The server's hint of when this event may be tried again, in ms (a 429 item's
   * `Retry-After`, a Kafka throttle); retry stages wait at least this long. Only meaningful
   * when `retryable`.
   */
  readonly retryAfterMs?: number;
}

/**
 * The reason an ack is rejected when a delivery failed: which events of that batch failed
 * and whether each may succeed on another try. Retry stages re-send only the retryable
 * ones; dead-letter stages write only the failed ones.
 */
export class BatchDeliveryError extends Error {
  override name = 'BatchDeliveryError';
  constructor(
    readonly failures: readonly FailedEvent[],
    /** Events in the batch that was sent. */
    readonly batchSize: number,
  ) {
    const first = failures[0]?.error;
    super(`${failures.length} of ${batchSize} event(s) failed: ${first?.message ?? 'unknown error'}`, { cause: first });
  }

  /** True when every failed event may succeed on another try. */
  get retryable(): boolean {
    return this.failures.every((failure) => failure.retryable);
  }
}
