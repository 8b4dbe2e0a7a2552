/** The level names sluice normalises to, least to most severe. */
export const LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const;
export type Level = (typeof LEVELS)[number];

/** Names (lower-cased) that mean one of {@link LEVELS}: syslog's, log4j's, Python's, .NET's, Go's. */
const LEVEL_NAMES: Readonly<Record<string, Level>> = {
  trace: 'trace', verbose: 'trace', finest: 'trace', finer: 'trace',
  debug: 'debug', dbug: 'debug', fine: 'debug', config: 'debug',
  info: 'info', information: 'info', informational: 'info', notice: 'info', inf: 'info',
  warn: 'warn', warning: 'warn', wrn: 'warn',
  error: 'error', err: 'error', eror: 'error', severe: 'error',
  fatal: 'fatal', critical: 'fatal', crit: 'fatal', alert: 'fatal', emerg: 'fatal', emergency: 'fatal', panic: 'fatal', dpanic: 'fatal',
};

/** Syslog severities (RFC 5424): 0 emergency … 7 debug. */
const SYSLOG_SEVERITIES: readonly Level[] = ['fatal', 'fatal', 'fatal', 'error', 'warn', 'info', 'info', 'debug'];

/** Longest level string kept as given when it is not a known name. */
const MAX_UNKNOWN_LEVEL = 32;

/**
 * The normalised level of `value`:
 * - a known name in any case (`WARNING`, `Warn`, `err`, `CRIT`) → its {@link Level};
 * - an integer 0..7 → the syslog severity (0..2 fatal, 3 error, 4 warn, 5..6 info, 7 debug);
 * - a number ≥ 10 → the pino/bunyan level band (10 trace, 20 debug, 30 info, 40 warn,
 *   50 error, 60 and above fatal; custom levels in between fall to the band below);
 * - any other string of at most 32 characters is kept, trimmed and lower-cased (`audit`).
 * Everything else (8, 9, negative or fractional numbers, objects) is an error.
 */
export function normalizeLevel(value: unknown): { level: string } | { error: string } {
  if (typeof value === 'string') {
    const name = value.trim().toLowerCase();
    const known = LEVEL_NAMES[name];
    if (known !== undefined && Object.prototype.hasOwnProperty.call(LEVEL_NAMES, name)) return { level: known };
    if (/^\d+$/.test(name)) return normalizeLevel(Number(name));
    if (name === '' || name.length > MAX_UNKNOWN_LEVEL) return { error: `a level name must be 1 to ${MAX_UNKNOWN_LEVEL} characters` };
    return { level: name };
  }
  if (typeof value === 'number') {
    if (Number.isInteger(value) && value >= 0 && value <= 7) return { level: SYSLOG_SEVERITIES[value] as Level };
    if (Number.isFinite(value) && value >= 10) return { level: LEVELS[Math.min(5, Math.floor(value / 10) - 1)] as Level };
    return { error: `${value} is neither a syslog severity (0-7) nor a pino/bunyan level (10-60)` };
  }
  return { error: `expected a level name or number, got ${Array.isArray(value) ? 'array' : value === null ? 'null' : typeof value}` };
}
