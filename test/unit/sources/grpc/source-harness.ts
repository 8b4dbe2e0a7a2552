import type { Subscription } from 'rxjs';
import type { Batch } from '../../../../src/core/batch';
import type { CreditLimits } from '../../../../src/core/credit';
import { grpcSource } from '../../../../src/sources/grpc';
import { freePort } from '../../../e2e/cli-harness';
import { parseConfig, testSourceContext, type TestSourceContext } from '../../../helpers/context';
import { until } from '../../../helpers/async';
import { IngestTestClient } from './grpc-test-client';

/** A running grpc source (in-process) with the batches it emitted, their acks left to the test. */
export interface RunningSource {
  readonly ctx: TestSourceContext;
  readonly address: string;
  readonly batches: Batch[];
  readonly completed: () => boolean;
  readonly errors: unknown[];
  client(headers?: Record<string, string>): IngestTestClient;
  /** Resolves every batch not yet settled. */
  resolveAll(): void;
  close(): Promise<void>;
}

/** Starts the source on a free port with `options` (YAML-shaped) and waits until it serves. */
export async function startGrpcSource(options: Record<string, unknown> = {}, limits: Partial<CreditLimits> = {}): Promise<RunningSource> {
  const port = await freePort();
  const address = `127.0.0.1:${port}`;
  const ctx = testSourceContext(limits, { id: 'grpc_in', type: 'grpc' });
  const states: string[] = [];
  const health = ctx.health;
  Object.assign(ctx, {
    health: {
      starting: () => (states.push('starting'), health.starting()),
      ready: () => (states.push('ready'), health.ready()),
      down: (reason: Error | string) => (states.push('down'), health.down(reason)),
    },
  });
  const config = parseConfig(grpcSource, { address, ...options });
  const batches: Batch[] = [];
  const errors: unknown[] = [];
  let done = false;
  const subscription: Subscription = grpcSource.create(config, ctx).subscribe({
    next: (batch) => batches.push(batch),
    error: (error: unknown) => errors.push(error),
    complete: () => void (done = true),
  });
  await until(() => states.includes('ready') || errors.length > 0, 5000);
  const clients: IngestTestClient[] = [];
  return {
    ctx,
    address,
    batches,
    errors,
    completed: () => done,
    client(headers = {}) {
      const client = new IngestTestClient(address, headers);
      clients.push(client);
      return client;
    },
    resolveAll() {
      for (const batch of batches) if (!batch.ack.settled) batch.ack.resolve();
    },
    async close() {
      for (const client of clients) client.close();
      for (const batch of batches) if (!batch.ack.settled) batch.ack.resolve();
      subscription.unsubscribe();
      await new Promise((wake) => setTimeout(wake, 20));
    },
  };
}
