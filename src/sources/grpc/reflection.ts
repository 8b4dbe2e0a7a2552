import type { PackageDefinition } from '@grpc/proto-loader';
import { FileDescriptorProto, type IDescriptorProto, type IFileDescriptorProto } from 'protobufjs/ext/descriptor';

/**
 * proto-loader's file descriptors as strict reflection clients (grpcurl, Go's protodesc) need
 * them. proto-loader (through protobufjs's `toDescriptor`) writes each package as one file
 * with an empty `dependency` list, and names a map field's entry type after the field
 * (`Fields`) instead of `FieldsEntry`; grpcurl then fails with "cannot resolve type
 * google.protobuf.Timestamp" or "incorrect implicit map entry name". This fills in the
 * imports from the types each file refers to and renames map entries, once at start-up.
 */
export function repairedForReflection(definition: PackageDefinition): PackageDefinition {
  const files = new Map<string, IFileDescriptorProto>();
  for (const entry of Object.values(definition)) {
    const protos = (entry as { fileDescriptorProtos?: Uint8Array[] }).fileDescriptorProtos;
    for (const bytes of protos ?? []) {
      const file = FileDescriptorProto.decode(bytes) as unknown as IFileDescriptorProto;
      if (file.name && !files.has(file.name)) files.set(file.name, file);
    }
  }
  // Which file declares each fully qualified message, enum and service name.
  const owner = new Map<string, string>();
  const declare = (scope: string, messages: readonly IDescriptorProto[] | undefined, fileName: string): void => {
    for (const message of messages ?? []) {
      const name = `${scope}.${message.name ?? ''}`;
      owner.set(name, fileName);
      for (const nested of message.enumType ?? []) owner.set(`${name}.${nested.name ?? ''}`, fileName);
      declare(name, message.nestedType, fileName);
    }
  };
  for (const [fileName, file] of files) {
    const scope = file.package ? `.${file.package}` : '';
    declare(scope, file.messageType, fileName);
    for (const enumType of file.enumType ?? []) owner.set(`${scope}.${enumType.name ?? ''}`, fileName);
  }
  /** The file of a type name as written in `scope` (absolute `.a.b.C`, or relative, searched outwards). */
  const fileOf = (typeName: string, scope: string): string | undefined => {
    if (typeName.startsWith('.')) return owner.get(typeName);
    for (let outer = scope; ; outer = outer.slice(0, Math.max(0, outer.lastIndexOf('.')))) {
      const found = owner.get(`${outer}.${typeName}`);
      if (found !== undefined || outer === '') return found;
    }
  };
  const repairMessages = (scope: string, messages: readonly IDescriptorProto[] | undefined, fileName: string, imports: Set<string>): void => {
    for (const message of messages ?? []) {
      const name = `${scope}.${message.name ?? ''}`;
      for (const nested of message.nestedType ?? []) {
        if (nested.options?.mapEntry !== true || nested.name?.endsWith('Entry') === true) continue;
        const old = nested.name ?? '';
        nested.name = `${old}Entry`;
        for (const field of message.field ?? []) if (field.typeName === old) field.typeName = nested.name;
      }
      for (const field of message.field ?? []) {
        const target = field.typeName ? fileOf(field.typeName, name) : undefined;
        if (target !== undefined && target !== fileName) imports.add(target);
      }
      repairMessages(name, message.nestedType, fileName, imports);
    }
  };
  for (const [fileName, file] of files) {
    const scope = file.package ? `.${file.package}` : '';
    const imports = new Set<string>(file.dependency ?? []);
    repairMessages(scope, file.messageType, fileName, imports);
    for (const service of file.service ?? []) {
      for (const method of service.method ?? []) {
        for (const typeName of [method.inputType, method.outputType]) {
          const target = typeName ? fileOf(typeName, scope) : undefined;
          if (target !== undefined && target !== fileName) imports.add(target);
        }
      }
    }
    file.dependency = [...imports];
  }
  const fileDescriptorProtos = [...files.values()].map((file) => Buffer.from(FileDescriptorProto.encode(file).finish()));
  // The reflection service only reads `fileDescriptorProtos`: one entry holding every file.
  return { '': { fileDescriptorProtos } } as unknown as PackageDefinition;
}
