import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * Bookkeeping shared by the jest global setup and teardown. Several test runs may share the
 * servers (engineers and CI on one machine), so:
 *  - run/jest-started/<server> marks a server that a jest run started (not one started by hand);
 *  - run/jest-leases/<pid> marks a jest run that is using the servers.
 * Teardown stops the marked servers only when no other live run holds a lease.
 */
export const SERVERS = ['kafka', 'elasticsearch', 's3'] as const;
export type Server = (typeof SERVERS)[number];

const scriptsDir = __dirname;
const runDir = join(process.env.SLUICE_SERVICES_CACHE ?? join(homedir(), '.cache', 'sluice-test-services'), 'run');
const startedDir = join(runDir, 'jest-started');
const leasesDir = join(runDir, 'jest-leases');

export function runScript(script: string, args: string[], quiet = false): number | null {
  const result = spawnSync('bash', [join(scriptsDir, script), ...args], { stdio: quiet ? 'ignore' : 'inherit' });
  if (result.error) throw result.error;
  return result.status;
}

export const isRunning = (server: Server): boolean => runScript(`${server}.sh`, ['status'], true) === 0;

export function markStarted(servers: readonly Server[]): void {
  mkdirSync(startedDir, { recursive: true });
  for (const s of servers) writeFileSync(join(startedDir, s), `${process.pid}\n`);
}

export function startedByJest(): Server[] {
  return SERVERS.filter((s) => existsSync(join(startedDir, s)));
}

export function clearStarted(servers: readonly Server[]): void {
  for (const s of servers) rmSync(join(startedDir, s), { force: true });
}

export function takeLease(): void {
  mkdirSync(leasesDir, { recursive: true });
  writeFileSync(join(leasesDir, String(process.pid)), '');
}

/** Drops this run's lease and those of runs that died; returns the pids of other live runs. */
export function releaseLease(): number[] {
  if (!existsSync(leasesDir)) return [];
  rmSync(join(leasesDir, String(process.pid)), { force: true });
  const others: number[] = [];
  for (const name of readdirSync(leasesDir)) {
    const pid = Number(name);
    if (pidAlive(pid)) others.push(pid);
    else rmSync(join(leasesDir, name), { force: true });
  }
  return others;
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
