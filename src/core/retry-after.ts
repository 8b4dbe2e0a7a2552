/**
 * A server's `Retry-After` header in milliseconds: delay-seconds (`"7"`, fractions allowed)
 * or an HTTP date (RFC 9110 §10.2.3). Undefined when absent, negative or unreadable, so a
 * caller falls back to its own backoff. Node's HTTP clients may hand a repeated header over
 * as an array: the first value counts.
 */
export function parseRetryAfter(header: unknown, nowMs = Date.now()): number | undefined {
  const value = Array.isArray(header) ? (header[0] as unknown) : header;
  if (typeof value !== 'string' || value.trim() === '') return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return seconds >= 0 ? Math.round(seconds * 1000) : undefined;
  const at = Date.parse(value);
  return Number.isFinite(at) ? Math.max(0, at - nowMs) : undefined;
}
