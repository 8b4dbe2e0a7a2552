import { createSocket } from 'node:dgram';
import { createServer, type Server } from 'node:net';
import { HealthBoard } from '../../../src/core/health';
import { bindUdp, listen, SourceStartError, sourceStartError, startSource } from '../../../src/sources/startup';
import { testContext } from '../../helpers/context';

/** A context whose health lands on a board the test reads. */
function contextOn(board: HealthBoard, id = 'syslog_in') {
  return testContext({ id, kind: 'source', health: board.register(id) });
}

/** A TCP server listening on a free port of 127.0.0.1, to make that port taken. */
async function occupied(): Promise<{ server: Server; port: number }> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as { port: number }).port };
}

describe('source start-up', () => {
  it('marks the source starting, then ready once it listens, and resolves with the bound port', async () => {
    const board = new HealthBoard();
    const server = createServer();
    const bound = listen(contextOn(board), server, '127.0.0.1', 0);
    expect(board.get('syslog_in')?.state).toBe('starting');
    const address = await bound.finally(() => server.close());
    expect(address.port).toBeGreaterThan(0);
    expect(board.get('syslog_in')).toEqual({ id: 'syslog_in', state: 'ready' });
  });

  it('fails a bind to a taken port with an error naming the component, the address and the OS error, and marks it down', async () => {
    const board = new HealthBoard();
    const { server: taken, port } = await occupied();
    const failure = listen(contextOn(board), createServer(), '127.0.0.1', port).finally(() => taken.close());
    const message = `source "syslog_in": cannot listen on 127.0.0.1:${port}: EADDRINUSE (address already in use)`;
    await expect(failure).rejects.toThrow(SourceStartError);
    await expect(failure).rejects.toMatchObject({ message, component: 'syslog_in', code: 'EADDRINUSE' });
    expect(board.get('syslog_in')).toEqual({ id: 'syslog_in', state: 'down', reason: message });
  });

  it('fails a UDP bind to a taken port the same way', async () => {
    const board = new HealthBoard();
    const first = createSocket('udp4');
    const { port } = await bindUdp(contextOn(board, 'udp_in'), first, '127.0.0.1', 0);
    const second = createSocket('udp4');
    const failure = bindUdp(contextOn(board, 'udp_in'), second, '127.0.0.1', port).finally(() => first.close());
    await expect(failure).rejects.toThrow(`source "udp_in": cannot bind udp 127.0.0.1:${port}: EADDRINUSE`);
    expect(board.get('udp_in')?.state).toBe('down');
  });

  it('wraps any start-up failure, such as a refused connection, keeping the cause', async () => {
    const board = new HealthBoard();
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9092'), { code: 'ECONNREFUSED' });
    const failure = startSource(contextOn(board, 'kafka_in'), 'connect to 127.0.0.1:9092', () => Promise.reject(refused));
    await expect(failure).rejects.toThrow('source "kafka_in": cannot connect to 127.0.0.1:9092: ECONNREFUSED');
    await expect(failure).rejects.toMatchObject({ cause: refused });
    expect(sourceStartError({ id: 'x' }, 'start', 'plain string').message).toBe('source "x": cannot start: plain string');
  });
});
