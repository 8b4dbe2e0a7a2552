import type { IHeaders, Message, PartitionMetadata } from 'kafkajs';
import { DeliveryError, toError, type FailedEvent } from '../../core/errors';
import type { JsonValue, LogEvent } from '../../core/event';
import { compilePath, getField, type FieldPath } from '../../core/field-path';
import type { TopicInfo } from './metadata';
import { TOPIC_NAME } from './options';
import type { Partitioner } from './partitioner';

/** Messages for one partition of one topic, at most `max_request_bytes` of them: one produce request. */
export interface PartitionRequest {
  readonly topic: string;
  readonly partition: number;
  readonly messages: Message[];
  /** Positions in the batch of the events the messages carry, in the same order. */
  readonly indices: number[];
  /** Approximate bytes of the messages (values, keys, headers). */
  bytes: number;
}

/** Why an event went to the fallback topic instead of the one its field names. */
export type RerouteReason = 'missing_field' | 'invalid_topic' | 'topic_limit' | 'unknown_topic';

/** Options of {@link Router}. */
export interface RouterOptions {
  /** The topic of every event, or the fallback with `topicField`. */
  readonly topic: string;
  readonly topicField?: string;
  /** Most distinct topics `topicField` may name (the fallback included). */
  readonly maxTopics: number;
  readonly keyField?: string;
  /** Header name → field path. */
  readonly headers?: Readonly<Record<string, string>>;
  readonly maxRequestBytes: number;
  /** One event's message value; may throw (only that event fails). */
  readonly encode: (event: LogEvent) => string;
  readonly partitioner: Partitioner;
  /** The cluster's metadata of one topic (cached by the caller). */
  readonly lookup: (topic: string) => Promise<TopicInfo>;
  /** Told about each event sent to the fallback topic instead of its own. */
  readonly onReroute?: (reason: RerouteReason, count: number) => void;
}

/** A batch made ready to produce: requests per partition, and the events that cannot go. */
export interface RoutedBatch {
  /** Per partition, its requests in event order (sent one after another: Kafka keeps order per partition). */
  readonly partitions: PartitionRequest[][];
  readonly failures: FailedEvent[];
}

/** Bytes a record costs beyond its key and value (length prefixes, offsets, timestamp deltas). */
const RECORD_OVERHEAD = 24;

const permanent = (index: number, message: string, cause?: unknown): FailedEvent => ({ index, error: new DeliveryError(message, false, { cause }), retryable: false });

/** A field as message bytes: strings as they are, anything else as JSON. */
function fieldText(value: JsonValue): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/**
 * Turns a batch into produce requests, one partition each: topic from `topic_field` (with
 * the fallback and the bound on distinct topics), value from the encoding, key and headers
 * from fields, partition from the strategy, then cut by `max_request_bytes`. Every event
 * that cannot be sent anywhere fails alone and permanently (it cannot be encoded, its
 * `manual` partition is invalid, it is larger than a request may be, its topic refused this
 * client); a topic whose metadata cannot be read now fails its events retryably.
 */
export class Router {
  private readonly topicField?: FieldPath;
  private readonly keyField?: FieldPath;
  private readonly headers: ReadonlyArray<readonly [string, FieldPath]>;
  /** Topics admitted so far; never more than `maxTopics`, so metadata and metrics stay bounded. */
  private readonly admitted = new Set<string>();

  constructor(private readonly options: RouterOptions) {
    this.topicField = options.topicField === undefined ? undefined : compilePath(options.topicField);
    this.keyField = options.keyField === undefined ? undefined : compilePath(options.keyField);
    this.headers = Object.entries(options.headers ?? {}).map(([name, path]) => [name, compilePath(path)] as const);
    this.admitted.add(options.topic);
  }

  async route(events: readonly LogEvent[]): Promise<RoutedBatch> {
    const failures: FailedEvent[] = [];
    const byTopic = this.topicsOf(events);
    const fallback = this.options.topic;
    const infos = new Map(await Promise.all([...byTopic.keys()].map(async (topic) => [topic, await this.lookup(topic)] as const)));
    // Events naming a topic the cluster does not have go to the fallback, in event order.
    for (const [topic, info] of infos) {
      if (topic === fallback || info instanceof Error || info.state !== 'missing') continue;
      const moved = byTopic.get(topic) as number[];
      this.options.onReroute?.('unknown_topic', moved.length);
      byTopic.delete(topic);
      const merged = byTopic.get(fallback);
      byTopic.set(fallback, merged ? [...merged, ...moved].sort((a, b) => a - b) : moved);
    }
    if (byTopic.has(fallback) && !infos.has(fallback)) infos.set(fallback, await this.lookup(fallback));
    const requests = new Map<string, PartitionRequest[]>();
    for (const [topic, indices] of byTopic) {
      const info = infos.get(topic) as TopicInfo | Error;
      if (info instanceof Error) {
        const error = info instanceof DeliveryError ? info : new DeliveryError(info.message, true, { cause: info });
        for (const index of indices) failures.push({ index, error, retryable: error.retryable });
      } else if (info.state === 'refused') {
        for (const index of indices) failures.push({ index, error: info.error, retryable: false });
      } else if (info.state === 'missing') {
        // Only the fallback can be missing here; it existed at start, so it was deleted: wait for it.
        const error = new DeliveryError(`kafka topic ${topic} does not exist (${info.reason})`, true);
        for (const index of indices) failures.push({ index, error, retryable: true });
      } else {
        this.build(events, topic, info.partitions, indices, requests, failures);
      }
    }
    failures.sort((a, b) => a.index - b.index);
    return { partitions: [...requests.values()], failures };
  }

  /** Event positions by the topic they name (or the fallback, counted). */
  private topicsOf(events: readonly LogEvent[]): Map<string, number[]> {
    const byTopic = new Map<string, number[]>();
    const add = (topic: string, index: number): void => {
      const list = byTopic.get(topic);
      if (list) list.push(index);
      else byTopic.set(topic, [index]);
    };
    const fallback = this.options.topic;
    if (!this.topicField) {
      byTopic.set(fallback, Array.from(events.keys()));
      return byTopic;
    }
    const rerouted = new Map<RerouteReason, number>();
    const reroute = (reason: RerouteReason, index: number): void => {
      rerouted.set(reason, (rerouted.get(reason) ?? 0) + 1);
      add(fallback, index);
    };
    for (let index = 0; index < events.length; index++) {
      const value = getField(events[index], this.topicField);
      if (typeof value !== 'string' || value === '') reroute('missing_field', index);
      else if (!TOPIC_NAME.test(value)) reroute('invalid_topic', index);
      else if (this.admitted.has(value)) add(value, index);
      else if (this.admitted.size < this.options.maxTopics) {
        this.admitted.add(value);
        add(value, index);
      } else reroute('topic_limit', index);
    }
    for (const [reason, count] of rerouted) this.options.onReroute?.(reason, count);
    return byTopic;
  }

  private async lookup(topic: string): Promise<TopicInfo | Error> {
    try {
      return await this.options.lookup(topic);
    } catch (error) {
      return toError(error);
    }
  }

  /** Messages for `indices` of one topic, grouped by partition and cut by bytes. */
  private build(events: readonly LogEvent[], topic: string, partitions: readonly PartitionMetadata[], indices: readonly number[], requests: Map<string, PartitionRequest[]>, failures: FailedEvent[]): void {
    const { encode, maxRequestBytes, partitioner } = this.options;
    for (const index of indices) {
      const event = events[index];
      let value: string;
      try {
        value = encode(event);
      } catch (thrown) {
        failures.push(permanent(index, `event cannot be encoded: ${toError(thrown).message}`, thrown));
        continue;
      }
      const keyValue = this.keyField ? getField(event, this.keyField) : undefined;
      const key = keyValue === undefined || keyValue === null ? null : fieldText(keyValue);
      const partition = partitioner.choose(topic, partitions, key, event);
      if (typeof partition !== 'number') {
        failures.push(permanent(index, partition.problem));
        continue;
      }
      let bytes = RECORD_OVERHEAD + Buffer.byteLength(value) + (key === null ? 0 : Buffer.byteLength(key));
      let headers: IHeaders | undefined;
      for (const [name, path] of this.headers) {
        const field = getField(event, path);
        if (field === undefined || field === null) continue;
        const text = fieldText(field);
        (headers ??= {})[name] = text;
        bytes += name.length + Buffer.byteLength(text) + 4;
      }
      if (bytes > maxRequestBytes) {
        failures.push(permanent(index, `message is ${bytes} bytes, more than max_request_bytes (${maxRequestBytes})`));
        continue;
      }
      const message: Message = headers ? { key, value, partition, headers } : { key, value, partition };
      this.append(requests, topic, partition, message, index, bytes);
    }
  }

  /** Adds a message to its partition's open request, opening a new one past the byte bound. */
  private append(requests: Map<string, PartitionRequest[]>, topic: string, partition: number, message: Message, index: number, bytes: number): void {
    const id = `${topic}\u0000${partition}`;
    let list = requests.get(id);
    if (!list) requests.set(id, (list = []));
    let open = list[list.length - 1];
    if (!open || open.bytes + bytes > this.options.maxRequestBytes) {
      open = { topic, partition, messages: [], indices: [], bytes: 0 };
      list.push(open);
    }
    open.messages.push(message);
    open.indices.push(index);
    open.bytes += bytes;
  }
}
