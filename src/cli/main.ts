#!/usr/bin/env node
import { runCli } from './cli';
import { stdoutDrained } from './signals';

/**
 * If something still holds the event loop open after the command finished (an abandoned
 * sink's socket, a timer a component leaked), exit anyway after this long. The timer is
 * unref'd, so it never delays an exit that happens on its own.
 */
const LINGER_MS = 1_000;

/**
 * How long, past the linger, to wait for a stdout reader to take queued output. Delivered
 * console output is never queued (the console sink acks only after the write completed);
 * what can be queued is output of abandoned batches to a reader that stopped reading.
 */
const STDOUT_GRACE_MS = 1_000;

function finish(code: number): void {
  process.exitCode = code;
  const exitSoon = setTimeout(() => {
    const cut = setTimeout(() => process.exit(code), STDOUT_GRACE_MS);
    void stdoutDrained().then(() => {
      clearTimeout(cut);
      process.exit(code);
    });
  }, LINGER_MS);
  exitSoon.unref();
}

runCli(process.argv.slice(2), {
  stdout: (text) => void process.stdout.write(text),
  stderr: (text) => void process.stderr.write(text),
  interactive: process.stderr.isTTY === true,
  env: process.env,
}).then(finish, (error: unknown) => {
  process.stderr.write(`sluice: unexpected failure: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  finish(1);
});
