import { connect } from 'node:net';
import { START_HINT } from './coordinates';

/**
 * Fails fast, with instructions, when a test server is not listening. Without this the clients
 * retry for a long time and then fail with errors that do not say the server is simply down.
 */
export async function assertReachable(what: string, hostPort: string, timeoutMs = 3000): Promise<void> {
  const { hostname, port } = new URL(hostPort.includes('://') ? hostPort : `tcp://${hostPort}`);
  await new Promise<void>((resolve, reject) => {
    const socket = connect({ host: hostname, port: Number(port) });
    const fail = (reason: string): void => {
      socket.destroy();
      reject(new Error(`${what} is not reachable at ${hostPort} (${reason}). ${START_HINT}`));
    };
    socket.setTimeout(timeoutMs, () => fail(`no answer in ${timeoutMs} ms`));
    socket.once('error', (err) => fail(err.message));
    socket.once('connect', () => {
      socket.end();
      resolve();
    });
  });
}
