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

/** A failure to deliver: `retryable` says whether trying again may succeed. */
export class DeliveryError extends Error {
  override name = 'DeliveryError';
  constructor(
    message: string,
    readonly retryable: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Wraps anything thrown into an Error. */
export function toError(value: unknown): Error {
  return value instanceof Error ? value : new Error(String(value));
}
