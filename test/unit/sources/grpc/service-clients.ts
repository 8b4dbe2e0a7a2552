import { credentials, loadPackageDefinition, type Client, type ServiceClientConstructor } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { protoPath as healthProtoPath } from 'grpc-health-check';

/** Real clients of the standard services (health, reflection), built from their published .proto files. */

type Lookup = Record<string, Record<string, Record<string, Record<string, ServiceClientConstructor>>>>;

function clientOf(protoFile: string, includeDirs: string[], path: string[], address: string): Client {
  const loaded = loadPackageDefinition(loadSync(protoFile, { includeDirs, keepCase: true, enums: String })) as unknown as Lookup;
  let node: unknown = loaded;
  for (const part of path) node = (node as Record<string, unknown>)[part];
  const Constructor = node as ServiceClientConstructor;
  return new Constructor(address, credentials.createInsecure());
}

interface HealthClient extends Client {
  Check(request: { service: string }, callback: (error: Error | null, response?: { status: string }) => void): void;
}

/** grpc.health.v1.Health/Check: the serving status of `service` ('' = the server), or the call's error. */
export function healthCheck(address: string, service = ''): Promise<string> {
  const client = clientOf(healthProtoPath, [], ['grpc', 'health', 'v1', 'Health'], address) as HealthClient;
  return new Promise((resolve) => {
    client.Check({ service }, (error, response) => {
      client.close();
      resolve(error ? `error: ${error.message}` : (response?.status ?? 'none'));
    });
  });
}

interface ReflectionStream {
  write(request: object): void;
  end(): void;
  on(event: 'data', listener: (response: { list_services_response?: { service: Array<{ name: string }> } }) => void): void;
  on(event: 'error', listener: (error: Error) => void): void;
}
interface ReflectionClient extends Client {
  ServerReflectionInfo(): ReflectionStream;
}

/** grpc.reflection.v1.ServerReflection: the names of the services the server lists. */
export function listServices(address: string): Promise<string[]> {
  const protoFile = require.resolve('@grpc/reflection/build/proto/grpc/reflection/v1/reflection.proto');
  const client = clientOf(protoFile, [], ['grpc', 'reflection', 'v1', 'ServerReflection'], address) as ReflectionClient;
  return new Promise((resolve, reject) => {
    const call = client.ServerReflectionInfo();
    call.on('data', (response) => {
      call.end();
      client.close();
      resolve((response.list_services_response?.service ?? []).map((service) => service.name).sort());
    });
    call.on('error', reject);
    call.write({ list_services: '*' });
  });
}
