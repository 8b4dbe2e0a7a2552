import { createSocket } from 'node:dgram';
import { connect, createServer, type Socket } from 'node:net';
import type { Subscription } from 'rxjs';
import type { Batch } from '../../../../src/core/batch';
import type { LogEvent } from '../../../../src/core/event';
import type { CreditLimits } from '../../../../src/core/credit';
import { HealthBoard } from '../../../../src/core/health';
import type { ComponentDefinition } from '../../../../src/components/define';
import { parseConfig, testSourceContext, type TestSourceContext } from '../../../helpers/context';

/** A TCP or UDP port that was free a moment ago. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A running network source and what it emitted. */
export interface RunningSource {
  readonly port: number;
  readonly ctx: TestSourceContext;
  readonly batches: Batch[];
  events(): LogEvent[];
  completed(): boolean;
  /** Resolves every ack emitted so far and from now on (a sink that delivers at once). */
  autoAck(): void;
  close(): Promise<void>;
}

/** Starts `definition` (socket or syslog) on a free port with `config`, validated like YAML; acks are left to the test unless `autoAck`. */
export async function startNetworkSource(definition: ComponentDefinition, config: Record<string, unknown>, limits: Partial<CreditLimits> = {}): Promise<RunningSource> {
  const port = await freePort();
  const board = new HealthBoard();
  const ctx = testSourceContext(limits, { id: 'in', type: definition.type, health: board.register('in') });
  const batches: Batch[] = [];
  let auto = false;
  let completed = false;
  const parsed = parseConfig(definition, { address: `127.0.0.1:${port}`, ...config });
  const subscription: Subscription = (definition.create(parsed as never, ctx) as import('rxjs').Observable<Batch>).subscribe({
    next: (batch) => {
      batches.push(batch);
      if (auto) batch.ack.resolve();
    },
    error: (error: unknown) => {
      throw error;
    },
    complete: () => void (completed = true),
  });
  await until(() => board.get('in')?.state === 'ready', `${definition.type} source to start`);
  return {
    port,
    ctx,
    batches,
    events: () => batches.flatMap((batch) => batch.events),
    completed: () => completed,
    autoAck() {
      auto = true;
      for (const batch of batches) if (!batch.ack.settled) batch.ack.resolve();
    },
    async close() {
      if (!completed) ctx.stop();
      subscription.unsubscribe();
      await new Promise((resolve) => setTimeout(resolve, 5));
    },
  };
}

/** Polls `check` every 10 ms, failing after `ms`. */
export async function until(check: () => boolean, what = 'condition', ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Opens a TCP connection to 127.0.0.1:`port` (or a Unix socket `path`). */
export function openTcp(target: number | string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = typeof target === 'number' ? connect(target, '127.0.0.1', () => resolve(socket)) : connect(target, () => resolve(socket));
    socket.once('error', reject);
  });
}

/** Sends each of `datagrams` to 127.0.0.1:`port` over UDP. */
export async function sendUdp(port: number, datagrams: Array<string | Buffer>): Promise<void> {
  const socket = createSocket('udp4');
  for (const datagram of datagrams) await new Promise<void>((resolve, reject) => socket.send(datagram, port, '127.0.0.1', (error) => (error ? reject(error) : resolve())));
  socket.close();
}
