import { clearStarted, releaseLease, runScript, startedByJest } from './jest-services';

/**
 * Stops the servers a jest run started, once no other jest run is using them. Servers started by
 * hand (`npm run services:up`) are left running, so a developer can keep them up across runs.
 */
export default function globalTeardown(): void {
  const others = releaseLease();
  if (others.length > 0) {
    console.log(`[services] leaving test servers running for other jest runs (pids ${others.join(', ')})`);
    return;
  }
  const started = startedByJest();
  if (started.length === 0) return;
  if (runScript('all.sh', ['down', ...started]) !== 0) {
    throw new Error(`Stopping test servers failed: ${started.join(', ')}`);
  }
  clearStarted(started);
}
