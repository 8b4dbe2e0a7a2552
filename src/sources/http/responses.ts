import type { ServerResponse } from 'node:http';

/** Most per-item errors one answer lists; `rejected` still counts them all. */
export const MAX_LISTED_ERRORS = 100;

/** One refused or undelivered item of a request. */
export interface ItemError {
  /** The item's position in the request (array index, or data row/line order), from 0. */
  readonly index: number;
  /** The line it was on (NDJSON, CSV, text), from 1. */
  readonly line?: number;
  readonly error: string;
  /** Set for delivery failures: whether sending the item again may succeed. */
  readonly retryable?: boolean;
}

/** The JSON body of every answer. */
export interface IngestAnswer {
  readonly accepted: number;
  readonly rejected: number;
  /** Why the request as a whole was refused. */
  readonly error?: string;
  readonly errors?: readonly ItemError[];
  /** True when more items failed than `errors` lists. */
  readonly errors_truncated?: boolean;
}

/** An answer listing at most {@link MAX_LISTED_ERRORS} item errors. */
export function answerWith(accepted: number, errors: readonly ItemError[]): IngestAnswer {
  if (errors.length === 0) return { accepted, rejected: 0 };
  const listed = errors.length > MAX_LISTED_ERRORS ? errors.slice(0, MAX_LISTED_ERRORS) : errors;
  return { accepted, rejected: errors.length, errors: listed, ...(listed.length < errors.length ? { errors_truncated: true } : {}) };
}

/** Options of {@link send}. */
export interface SendOptions {
  /** Ask the client to close the connection after this answer (its body was not read, or the source is draining). */
  readonly close?: boolean;
  /** Seconds, for 429 and 503. */
  readonly retryAfterSeconds?: number;
  readonly headers?: Readonly<Record<string, string>>;
}

/** Writes `answer` as JSON with `status`, unless the client is gone or an answer was already sent. */
export function send(response: ServerResponse, status: number, answer: IngestAnswer, options: SendOptions = {}): void {
  if (response.headersSent || response.destroyed || response.writableEnded) return;
  const body = JSON.stringify(answer);
  const headers: Record<string, string | number> = { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...options.headers };
  if (options.retryAfterSeconds !== undefined) headers['retry-after'] = Math.max(1, Math.ceil(options.retryAfterSeconds));
  if (options.close) headers.connection = 'close';
  response.writeHead(status, headers);
  response.end(body);
}

/** A whole-request refusal: `{accepted: 0, rejected: 0, error}`. */
export const refusal = (error: string): IngestAnswer => ({ accepted: 0, rejected: 0, error });
