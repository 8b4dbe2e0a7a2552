import { createServer as createTcpServer, type Server } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { duration, integer } from '../../config/schema';
import { secureContextOptions, type TlsConfig } from '../ingest/options';
import { parseAddress } from '../http/address';

/** Options every stream listener (socket, syslog) shares. */
export const connectionOptions = {
  max_connections: integer({ description: 'Most open client connections (TCP, TLS, Unix); more are refused and counted (`too_many_connections`).', default: 1024, min: 1 }),
  idle_timeout: duration({ description: 'A connection that sends nothing for this long is closed (what it sent is kept); 0 never closes one.', default: 300_000, min: 0, example: '1m' }),
};

/** `host:port` checked as a config issue, or undefined when fine. */
export function addressIssue(address: string): string | undefined {
  const parsed = parseAddress(address);
  return 'error' in parsed ? parsed.error : undefined;
}

/** The host and port of an already validated address. */
export function hostAndPort(address: string): { host: string; port: number } {
  const parsed = parseAddress(address);
  if ('error' in parsed) throw new Error(parsed.error);
  return parsed;
}

/** A plain TCP server, or a TLS one (RFC 5425 for syslog) when `tls` is configured. */
export function streamServer(tls: TlsConfig | undefined): Server {
  return tls === undefined ? createTcpServer({ noDelay: true }) : createTlsServer({ ...secureContextOptions(tls) });
}
