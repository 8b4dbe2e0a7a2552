import { FileDescriptorProto, type IFileDescriptorProto } from 'protobufjs/ext/descriptor';
import { reflectionPackageDefinition } from '../../../../src/sources/grpc/protos';
import { repairedForReflection } from '../../../../src/sources/grpc/reflection';

/** The files the reflection service will hand out, by name. */
function files(): Map<string, IFileDescriptorProto> {
  const repaired = repairedForReflection(reflectionPackageDefinition());
  const byName = new Map<string, IFileDescriptorProto>();
  for (const entry of Object.values(repaired)) {
    for (const bytes of (entry as { fileDescriptorProtos: Uint8Array[] }).fileDescriptorProtos) {
      const file = FileDescriptorProto.decode(bytes) as unknown as IFileDescriptorProto;
      byName.set(file.name ?? '', file);
    }
  }
  return byName;
}

describe('reflection descriptors', () => {
  // Regression: grpcurl failed with `cannot resolve type "*.google.protobuf.Timestamp"` and
  // `HealthListResponse.statuses is an invalid map: incorrect implicit map entry name`.
  it('declare the files they import, so strict clients resolve google.protobuf.Timestamp', () => {
    const all = files();
    const ingest = [...all.values()].find((file) => file.package === 'sluice.ingest.v1');
    const timestampFile = [...all.values()].find((file) => file.messageType?.some((message) => message.name === 'Timestamp'));
    expect(ingest?.dependency).toContain(timestampFile?.name);
    const logsService = [...all.values()].find((file) => file.package === 'opentelemetry.proto.collector.logs.v1');
    const logs = [...all.values()].find((file) => file.package === 'opentelemetry.proto.logs.v1');
    expect(logsService?.dependency).toEqual([logs?.name]);
  });

  it('name map entry types <Field>Entry, as protoc does', () => {
    const ingest = [...files().values()].find((file) => file.package === 'sluice.ingest.v1');
    const event = ingest?.messageType?.find((message) => message.name === 'Event');
    const entry = event?.nestedType?.find((nested) => nested.options?.mapEntry === true);
    expect(entry?.name).toBe('FieldsEntry');
    expect(event?.field?.find((field) => field.name === 'fields')?.typeName).toBe('FieldsEntry');
  });
});
