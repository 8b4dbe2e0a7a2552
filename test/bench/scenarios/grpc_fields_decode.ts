import { common, Field, Root, Type } from 'protobufjs';
import { decodeIngestEvents, type WireEvent } from '../../../src/sources/grpc/ingest-events';
import { grpcMessageTypes } from '../../../src/sources/grpc/protos';
import { scaled, timed, type Scenario } from '../scenario';

/** Five fields as a service logs them. */
const FIELDS = { status: 200, duration_ms: 12.5, route: '/api/v1/orders', user: 'u-12345', cached: false } as const;
const EVENTS = 1000;
const ROUNDS = 300;

type StructValue = { kind?: string; null_value?: number; number_value?: number; string_value?: string; bool_value?: boolean; struct_value?: { fields: Record<string, StructValue> }; list_value?: { values: StructValue[] } };
type JsonLike = null | number | string | boolean | JsonLike[] | { [key: string]: JsonLike };

/** google.protobuf.Value as JSON: what a server must do with a Struct after decoding it. */
function fromStructValue(value: StructValue): JsonLike {
  switch (value.kind) {
    case 'number_value': return value.number_value ?? 0;
    case 'string_value': return value.string_value ?? '';
    case 'bool_value': return value.bool_value ?? false;
    case 'struct_value': return fromStruct(value.struct_value?.fields ?? {});
    case 'list_value': return (value.list_value?.values ?? []).map(fromStructValue);
    default: return null;
  }
}
function fromStruct(fields: Record<string, StructValue>): { [key: string]: JsonLike } {
  const object: { [key: string]: JsonLike } = {};
  for (const key of Object.keys(fields)) object[key] = fromStructValue(fields[key] as StructValue);
  return object;
}
const toStructValue = (value: unknown): StructValue =>
  typeof value === 'number' ? { number_value: value } : typeof value === 'string' ? { string_value: value } : typeof value === 'boolean' ? { bool_value: value } : { null_value: 0 };

/** A PushRequest-shaped type whose events carry their fields as google.protobuf.Struct. */
function structPushType(): Type {
  const root = Root.fromJSON(common.get('google/protobuf/struct.proto') as Parameters<typeof Root.fromJSON>[0]);
  const event = new Type('StructEvent').add(new Field('message', 1, 'string')).add(new Field('fields', 9, 'google.protobuf.Struct'));
  const push = new Type('StructPush').add(new Field('events', 1, 'StructEvent', 'repeated'));
  root.add(event).add(push);
  root.resolveAll();
  return root.lookupType('StructPush');
}

/**
 * How fast each encoding of an event's structured fields decodes in JS, per event: the
 * protobuf decode of 1000-event requests plus turning the fields into a plain object.
 * `fields_json` (bytes holding JSON: one JSON.parse), the typed `fields` map of FieldValue,
 * and google.protobuf.Struct (what the issue proposed measuring), each decoded with
 * protobufjs and turned into a plain object the same minimal way. `source_path` is the
 * source's whole per-event work for the fields_json form (`decodeIngestEvents`: build and
 * validate with normalizeEvent). Figures are CPU ns per event, under "further figures".
 */
export const scenario: Scenario = {
  name: 'grpc_fields_decode',
  description: `decode + materialise 5 structured fields per event: fields_json vs typed map vs google.protobuf.Struct (${EVENTS}-event requests)`,
  bytesBasis: 'encoded request bytes (fields_json form)',
  async run() {
    const types = grpcMessageTypes();
    const rounds = scaled(ROUNDS);
    const message = 'GET /api/v1/orders 200';
    const jsonRequest = Buffer.from(types.pushRequest.encode({ events: Array.from({ length: EVENTS }, () => ({ message, fields_json: Buffer.from(JSON.stringify(FIELDS)) })) }).finish());
    const typed = { status: { int_value: 200 }, duration_ms: { double_value: 12.5 }, route: { string_value: FIELDS.route }, user: { string_value: FIELDS.user }, cached: { bool_value: false } };
    const mapRequest = Buffer.from(types.pushRequest.encode({ events: Array.from({ length: EVENTS }, () => ({ message, fields: typed })) }).finish());
    const structType = structPushType();
    const structFields = { fields: Object.fromEntries(Object.entries(FIELDS).map(([key, value]) => [key, toStructValue(value)])) };
    const structRequest = Buffer.from(structType.encode({ events: Array.from({ length: EVENTS }, () => ({ message, fields: structFields })) }).finish());

    let sink = 0;
    type Wire = { message: string; fields_json: Uint8Array; fields: Record<string, { kind?: string; string_value?: string; int_value?: { toNumber(): number } | number; double_value?: number; bool_value?: boolean }> };
    const decodeJson = (bytes: Buffer): void => {
      const request = types.pushRequest.decode(bytes) as unknown as { events: Wire[] };
      for (const event of request.events) {
        const object = JSON.parse(Buffer.from(event.fields_json).toString('utf8')) as Record<string, unknown>;
        object.message = event.message;
        sink += 1;
      }
    };
    const decodeMap = (bytes: Buffer): void => {
      const request = types.pushRequest.decode(bytes) as unknown as { events: Wire[] };
      for (const event of request.events) {
        const object: Record<string, unknown> = {};
        for (const key of Object.keys(event.fields)) {
          const value = event.fields[key];
          if (value === undefined) continue;
          object[key] = value.kind === 'string_value' ? value.string_value : value.kind === 'int_value' ? (typeof value.int_value === 'number' ? value.int_value : value.int_value?.toNumber()) : value.kind === 'double_value' ? value.double_value : value.bool_value;
        }
        object.message = event.message;
        sink += 1;
      }
    };
    const decodeStruct = (bytes: Buffer): void => {
      const request = structType.decode(bytes) as unknown as { events: Array<{ message: string; fields?: { fields: Record<string, StructValue> } }> };
      for (const event of request.events) {
        const object = fromStruct(event.fields?.fields ?? {});
        object.message = event.message;
        sink += 1;
      }
    };
    /** The source's whole per-event path for the fields_json form: decode, build, validate (normalizeEvent). */
    const decodeSource = (bytes: Buffer): void => {
      const request = types.pushRequest.decode(bytes) as unknown as { events: WireEvent[] };
      sink += decodeIngestEvents(request.events, 1_764_633_600_000, {}).events.length;
    };
    const measure = async (decode: (bytes: Buffer) => void, bytes: Buffer) => {
      for (let i = 0; i < 50; i++) decode(bytes); // warm-up
      return timed(async () => {
        for (let i = 0; i < rounds; i++) decode(bytes);
      });
    };
    const json = await measure(decodeJson, jsonRequest);
    const map = await measure(decodeMap, mapRequest);
    const struct = await measure(decodeStruct, structRequest);
    const source = await measure(decodeSource, jsonRequest);
    // CPU time, not wall time: on a shared machine the wall clock also counts other processes.
    const perEvent = (cpuMs: number): number => Math.round((cpuMs * 1e6) / (rounds * EVENTS));
    if (sink === 0) throw new Error('nothing decoded');
    return {
      events: rounds * EVENTS,
      bytes: rounds * jsonRequest.length,
      durationMs: json.durationMs,
      cpuMs: json.cpuMs,
      extra: {
        fields_json_cpu_ns_per_event: perEvent(json.cpuMs),
        typed_map_cpu_ns_per_event: perEvent(map.cpuMs),
        struct_cpu_ns_per_event: perEvent(struct.cpuMs),
        source_path_cpu_ns_per_event: perEvent(source.cpuMs),
        fields_json_bytes_per_event: Math.round(jsonRequest.length / EVENTS),
        typed_map_bytes_per_event: Math.round(mapRequest.length / EVENTS),
        struct_bytes_per_event: Math.round(structRequest.length / EVENTS),
      },
    };
  },
};
