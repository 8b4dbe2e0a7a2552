import { Server, ServerCredentials, ServerInterceptingCall, status, type ServerInterceptor, type ServerOptions } from '@grpc/grpc-js';
import { ReflectionService } from '@grpc/reflection';
import { HealthImplementation, type ServingStatus } from 'grpc-health-check';
import type { ComponentContext } from '../../components/context';
import { secureContextOptions, type TlsConfig } from '../ingest/options';
import { reflectionPackageDefinition } from './protos';
import { repairedForReflection } from './reflection';

/** The services the health service reports on, besides the server as a whole (''). */
export const HEALTH_SERVICES = ['', 'sluice.ingest.v1.Ingest', 'opentelemetry.proto.collector.logs.v1.LogsService'] as const;

/** The transport limits of the server (the YAML options, in ms and bytes). */
export interface ServerLimits {
  readonly maxMessageBytes: number;
  readonly maxConcurrentStreams: number;
  readonly keepaliveTimeMs: number;
  readonly keepaliveTimeoutMs: number;
  readonly idleTimeoutMs: number;
}

/** Lower-case names of gRPC status codes, for the `error_type` label (`grpc_resource_exhausted`). */
const STATUS_NAMES = new Map<number, string>(Object.entries(status).filter((entry): entry is [string, number] => typeof entry[1] === 'number').map(([name, code]) => [code, name.toLowerCase()]));

/**
 * Counts every call that ends with a status other than OK as `errors_total{error_type =
 * "grpc_<status>"}`. It wraps the call's own `sendStatus`, not only the interceptor chain's,
 * so refusals grpc-js makes by itself (a message over `max_message_bytes`, a bad
 * compression) are counted as well as those of the handlers.
 */
function countFailedCalls(ctx: ComponentContext): ServerInterceptor {
  return (_method, call) => {
    const sendStatus = call.sendStatus.bind(call);
    call.sendStatus = (sent) => {
      if (sent.code !== status.OK) ctx.metrics.error(`grpc_${STATUS_NAMES.get(sent.code) ?? sent.code}`);
      sendStatus(sent);
    };
    return new ServerInterceptingCall(call);
  };
}

/** A grpc-js server with the source's limits, counting failed calls, with health and reflection. */
export function createGrpcServer(ctx: ComponentContext, limits: ServerLimits): { server: Server; health: HealthImplementation } {
  const options: ServerOptions = {
    'grpc.max_receive_message_length': limits.maxMessageBytes,
    'grpc.max_concurrent_streams': limits.maxConcurrentStreams,
    'grpc.keepalive_time_ms': limits.keepaliveTimeMs,
    'grpc.keepalive_timeout_ms': limits.keepaliveTimeoutMs,
    'grpc.max_connection_idle_ms': limits.idleTimeoutMs,
    interceptors: [countFailedCalls(ctx)],
  };
  const server = new Server(options);
  const health = new HealthImplementation(Object.fromEntries(HEALTH_SERVICES.map((name) => [name, 'NOT_SERVING' satisfies ServingStatus])));
  health.addToServer(server);
  new ReflectionService(repairedForReflection(reflectionPackageDefinition())).addToServer(server);
  return { server, health };
}

/** Sets every reported service to `state`. */
export function setServing(health: HealthImplementation, state: ServingStatus): void {
  for (const name of HEALTH_SERVICES) health.setStatus(name, state);
}

/** Plain text, or TLS from the `tls:` block (mutual TLS when `require_client_cert`). */
export function serverCredentials(tls: TlsConfig | undefined): ServerCredentials {
  if (tls === undefined) return ServerCredentials.createInsecure();
  const secure = secureContextOptions(tls);
  return ServerCredentials.createSsl(secure.ca === undefined ? null : Buffer.from(secure.ca as Buffer), [{ cert_chain: secure.cert as Buffer, private_key: secure.key as Buffer }], secure.rejectUnauthorized);
}

/** grpc-js reports a failed bind as "No address added ... [listen EADDRINUSE: ...]": lift the OS code out. */
function bindError(error: Error): Error & { code?: string } {
  const os = /listen (E[A-Z]+): ([^\]]+?)(?: [^\s\]]*:\d+)?\]?$/.exec(error.message) ?? /(E[A-Z]{4,}): ?([^\]]*)/.exec(error.message);
  if (os === null) return error;
  const lifted = new Error(`listen ${os[1]}: ${os[2]}`, { cause: error }) as Error & { code?: string };
  lifted.code = os[1];
  return lifted;
}

/** Binds `server` on `address` (`host:port`); resolves with the bound port. */
export function bindServer(server: Server, address: string, credentials: ServerCredentials): Promise<number> {
  return new Promise((resolve, reject) => {
    server.bindAsync(address, credentials, (error, port) => (error ? reject(bindError(error)) : resolve(port)));
  });
}
