import type { ChildMessage, RunResult } from './scenario';
import { SCENARIOS } from './scenarios';

/**
 * One scenario run in a process of its own (forked by run.ts): untimed setup, the timed
 * run, then the process's peak RSS, reported over IPC. A fresh process per run means no
 * JIT warmth, heap or page state leaks from one scenario into the next.
 */
async function main(name: string): Promise<RunResult> {
  const load = SCENARIOS[name];
  if (!load) throw new Error(`unknown scenario "${name}"`);
  const scenario = await load();
  await scenario.setup?.();
  const measurement = await scenario.run();
  // maxRSS is in KiB on Linux and macOS. A scenario that spawned the real worker reports its RSS.
  const peakRssMiB = measurement.peakRssMiB ?? process.resourceUsage().maxRSS / 1024;
  return { ...measurement, scenario: name, peakRssMiB };
}

function reply(message: ChildMessage): void {
  if (!process.send) {
    console.log(JSON.stringify(message));
    return;
  }
  // Exit only once the message is out: a pipeline may leave nothing else keeping the loop alive.
  process.send(message, () => process.exit(0));
}

main(process.argv[2] ?? '').then(
  (result) => reply({ ok: true, result }),
  (error: unknown) => reply({ ok: false, error: error instanceof Error ? (error.stack ?? error.message) : String(error) }),
);
