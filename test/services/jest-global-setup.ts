import { isRunning, markStarted, releaseLease, runScript, SERVERS, takeLease } from './jest-services';

/**
 * Starts Kafka, Elasticsearch and the S3 server for the integration project (installing them on
 * first use). A server that cannot start fails the whole run here, with its log tail already
 * printed by the script, rather than letting each test fail on a connection error.
 */
export default function globalSetup(): void {
  takeLease();
  const alreadyUp = SERVERS.filter(isRunning);
  if (runScript('all.sh', ['up']) === 0) {
    markStarted(SERVERS.filter((s) => !alreadyUp.includes(s)));
    return;
  }
  // Jest skips the global teardown when setup throws, so stop what this run did start here.
  const startedNow = SERVERS.filter((s) => !alreadyUp.includes(s) && isRunning(s));
  if (releaseLease().length === 0 && startedNow.length > 0) runScript('all.sh', ['down', ...startedNow]);
  throw new Error(
    'Test servers failed to start (see the log tail above; logs in ~/.cache/sluice-test-services/run/). ' +
      'Run `bash test/services/all.sh up` by hand to retry.',
  );
}
