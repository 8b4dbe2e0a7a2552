import { request as httpRequest, type Agent, type IncomingHttpHeaders } from 'node:http';
import { createServer } from 'node:net';
import type { Subscription } from 'rxjs';
import type { Batch } from '../../../../src/core/batch';
import type { CreditLimits } from '../../../../src/core/credit';
import { HealthBoard } from '../../../../src/core/health';
import { httpSource } from '../../../../src/sources/http/source';
import { parseConfig, testSourceContext, type TestSourceContext } from '../../../helpers/context';

/** A port that was free a moment ago. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A running HTTP source and what it emitted. */
export interface RunningSource {
  readonly port: number;
  readonly ctx: TestSourceContext;
  readonly batches: Batch[];
  /** Resolves every ack emitted so far and from now on (a sink that delivers at once). */
  autoAck(): void;
  close(): Promise<void>;
}

/** Starts the `http` source on a free port with `config` (validated like YAML); batches are kept, acks left to the test. */
export async function startHttp(config: Record<string, unknown> = {}, limits: Partial<CreditLimits> = {}): Promise<RunningSource> {
  const port = await freePort();
  const board = new HealthBoard();
  const ctx = testSourceContext(limits, { id: 'http_in', type: 'http', health: board.register('http_in') });
  const batches: Batch[] = [];
  let auto = false;
  let completed = false;
  const subscription: Subscription = httpSource.create(parseConfig(httpSource, { address: `127.0.0.1:${port}`, ...config }), ctx).subscribe({
    next: (batch) => {
      batches.push(batch);
      if (auto) batch.ack.resolve();
    },
    complete: () => void (completed = true),
  });
  for (let i = 0; i < 500 && board.get('http_in')?.state !== 'ready'; i++) await new Promise((resolve) => setTimeout(resolve, 10));
  if (board.get('http_in')?.state !== 'ready') throw new Error(`http source did not start: ${JSON.stringify(board.get('http_in'))}`);
  return {
    port,
    ctx,
    batches,
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

/** An HTTP answer. */
export interface Answer {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Record<string, unknown>;
  readonly text: string;
}

/** POSTs `body` to the source (on its own connection unless given a keep-alive `agent`) and reads the answer. */
export function post(port: number, path: string, body: string | Buffer, headers: Record<string, string> = {}, method = 'POST', agent: Agent | false = false): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const request = httpRequest({ host: '127.0.0.1', port, path, method, headers: { 'content-type': 'application/json', ...headers }, agent }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let parsed: Record<string, unknown> = {};
        try {
          parsed = JSON.parse(text) as Record<string, unknown>;
        } catch {
          // not JSON: left empty, the test reads `text`
        }
        resolve({ status: response.statusCode ?? 0, headers: response.headers, body: parsed, text });
      });
    });
    request.on('error', reject);
    request.end(body);
  });
}
