import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerOptions, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { SecureContextOptions } from 'node:tls';

/** Connection-level limits of the HTTP source's server. */
export interface ServerLimits {
  /** Time to receive all request headers. */
  readonly headerTimeoutMs: number;
  /** Time to receive a whole request (headers and body). */
  readonly requestTimeoutMs: number;
  /** How long an idle keep-alive connection stays open. */
  readonly keepAliveTimeoutMs: number;
  readonly maxConnections: number;
  readonly maxHeaderBytes: number;
}

type Handler = (request: IncomingMessage, response: ServerResponse, expectsContinue: boolean) => void;

/**
 * A bare node:http (or https) server: no framework. Measured against fastify in the bench
 * note: at ~1 MiB bodies the per-request cost of either is noise beside body decoding, and
 * the source needs the raw request stream anyway (bounded reads, 413 before buffering,
 * answering `Expect: 100-continue` only after auth and credit checks), which a framework's
 * body parsing would have to be switched off for.
 *
 * Node enforces the header and whole-request timeouts (checked every `connectionsCheckingInterval`,
 * set to a quarter of the shorter one so a 1 s limit fires within ~1.25 s); a slow client
 * cannot hold a connection longer. `maxConnections` refuses connections beyond it.
 */
export function createIngestServer(
  limits: ServerLimits,
  tls: (SecureContextOptions & { requestCert: boolean; rejectUnauthorized: boolean }) | undefined,
  handle: Handler,
  onClientError: (reason: 'malformed_request' | 'header_timeout' | 'headers_too_large') => void,
): Server {
  const options: ServerOptions = {
    headersTimeout: limits.headerTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    connectionsCheckingInterval: Math.max(50, Math.min(30_000, Math.floor(Math.min(limits.headerTimeoutMs, limits.requestTimeoutMs) / 4))),
    maxHeaderSize: limits.maxHeaderBytes,
    noDelay: true,
    // Duplicate headers such as two Content-Lengths are refused by llhttp: keep that strict.
    insecureHTTPParser: false,
  };
  const server: Server = tls === undefined ? createHttpServer(options) : createHttpsServer({ ...options, ...tls });
  server.maxConnections = limits.maxConnections;
  server.on('request', (request: IncomingMessage, response: ServerResponse) => handle(request, response, false));
  // Answering 100 Continue ourselves, after the header checks, spares a refused client sending its body.
  server.on('checkContinue', (request: IncomingMessage, response: ServerResponse) => handle(request, response, true));
  // Malformed requests (bad request line, oversized headers): answer 400/431 and close, as Node does, but never crash.
  server.on('clientError', (error: NodeJS.ErrnoException, socket) => {
    if (error.code === 'ECONNRESET') return socket.destroy();
    onClientError(error.code === 'HPE_HEADER_OVERFLOW' ? 'headers_too_large' : error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 'header_timeout' : 'malformed_request');
    if (!socket.writable) return socket.destroy();
    const status = error.code === 'HPE_HEADER_OVERFLOW' ? '431 Request Header Fields Too Large' : error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? '408 Request Timeout' : '400 Bad Request';
    socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  });
  return server;
}
