import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer, type AddressInfo } from 'node:net';
import { HTTP_LOAD, measureHttpLoad } from '../http-bench';
import { expectEvents, type Scenario } from '../scenario';

/** A port nobody listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/**
 * The floor for `http_to_blackhole`: a bare node:http server that reads each body, parses
 * every NDJSON line with JSON.parse, counts the events and answers 200. No auth, limits,
 * normalisation, credit, pipeline or acks: the difference to `http_to_blackhole` is what
 * sluice's HTTP source and pipeline cost on top of decoding.
 */
export const scenario: Scenario = {
  name: 'baseline_http_decode',
  description: `bare node:http: read body, JSON.parse each NDJSON line, count, 200 (${HTTP_LOAD.connections} keep-alive connections, same load as http_to_blackhole)`,
  bytesBasis: 'request body bytes (NDJSON)',
  async run() {
    let counted = 0;
    const server = createHttpServer((request: IncomingMessage, response: ServerResponse) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        for (let at = 0; at < text.length; ) {
          const end = text.indexOf('\n', at);
          const stop = end === -1 ? text.length : end;
          if (stop > at) {
            JSON.parse(text.slice(at, stop));
            counted++;
          }
          at = stop + 1;
        }
        response.writeHead(200, { 'content-type': 'application/json' }).end('{"accepted":1}');
      });
    });
    const port = await freePort();
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    try {
      const measured = await measureHttpLoad(`http://127.0.0.1:${port}/logs`);
      expectEvents('baseline_http_decode', counted, measured.delivered);
      const { delivered: _total, ...measurement } = measured;
      return measurement;
    } finally {
      server.closeAllConnections();
      server.close();
    }
  },
};
