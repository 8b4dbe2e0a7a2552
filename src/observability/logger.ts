import pino, { type Logger } from 'pino';

export type { Logger } from 'pino';

/** Self-log levels, most verbose first. */
export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/**
 * sluice's own structured log (not the logs it ships). It goes to stderr so that stdout
 * stays clean for the `console` sink's NDJSON.
 */
export function createLogger(level: LogLevel = 'info'): Logger {
  return pino({ name: 'sluice', level, base: { pid: process.pid } }, pino.destination({ fd: 2, sync: false }));
}

/** A logger that drops everything (tests, library use without a runtime). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
