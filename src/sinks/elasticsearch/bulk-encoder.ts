import { hash } from 'node:crypto';
import { eventMeta, type LogEvent } from '../../core/event';
import { compilePath, getField, type FieldPath } from '../../core/field-path';
import type { Encoder } from '../../../operators/encode';
import type { IndexTemplate } from './index-template';

/** The bulk actions the sink sends: `create` fails on an existing id, `index` overwrites it. */
export type BulkAction = 'index' | 'create';

/** How a document gets its `_id` when `id_field` gives none. */
export type DocumentIdMode = 'hash' | 'auto';

/** Options of {@link BulkEncoding}. */
export interface BulkEncodingOptions {
  readonly action: BulkAction;
  readonly index: IndexTemplate;
  /** A field whose value is the `_id`; events without it fall back to `documentId`. */
  readonly idField?: string;
  /** `hash`: a SHA-256 of the document (and its source position); `auto`: Elasticsearch picks one. */
  readonly documentId: DocumentIdMode;
}

/** One send's encoder, and the index each of its events was given. */
export interface BulkSendEncoder extends Encoder {
  /** The index an encoded event goes to (undefined for one that failed to encode). */
  indexOf(event: LogEvent): string | undefined;
}

/** `JSON.stringify` that refuses what is not an object's JSON, like the shared encoders. */
function toJson(event: LogEvent): string {
  const text = JSON.stringify(event) as string | undefined;
  if (typeof text !== 'string') throw new TypeError('event has no JSON form');
  return text;
}

/**
 * The Elasticsearch bulk wire format as an {@link Encoder} for the shared request builder:
 * each event encodes to its action line and its document line, so `buildRequests` splits
 * bodies between pairs (never inside one), bounds them by `batch.max_bytes` and compresses
 * them, and an event whose index or JSON cannot be made fails alone, permanently.
 *
 * Deterministic ids make a resent bulk idempotent (an item retried after a 429, a whole
 * bulk resent after a timeout whose first attempt did land): the id is a SHA-256 of the
 * document JSON, plus the event's source position (`path`, `offset` metadata) when it has
 * one, so two identical lines at different offsets stay two documents. Two events of one
 * send with identical content and no position get `~1`, `~2` suffixes; the suffixed id is
 * remembered for that event object, so resending it alone (retry resends only the failed
 * events) keeps its id instead of colliding with its twin. Identical events in *different*
 * sends without a position still share an id: that is the price of content ids (use
 * `id_field`, or `document_id: auto` and accept duplicates on resend).
 */
export class BulkEncoding {
  private readonly idPath: FieldPath | undefined;
  private readonly suffixed = new WeakMap<LogEvent, string>();
  private readonly actionKey: string;

  constructor(private readonly options: BulkEncodingOptions) {
    this.idPath = options.idField === undefined ? undefined : compilePath(options.idField);
    this.actionKey = `{${JSON.stringify(options.action)}:{"_index":`;
  }

  /** A fresh encoder for one send (ids are made unique within it). */
  forSend(fallbackIso: () => string): BulkSendEncoder {
    const taken = new Map<string, LogEvent>();
    const indices = new Map<LogEvent, string>();
    const { index, documentId } = this.options;
    const encode = (event: LogEvent): string => {
      const document = toJson(event);
      const name = index.render(event, fallbackIso);
      indices.set(event, name);
      const id = this.fieldId(event) ?? (documentId === 'hash' ? this.contentId(event, document, taken) : undefined);
      const target = this.actionKey + JSON.stringify(name);
      return (id === undefined ? `${target}}}\n` : `${target},"_id":${JSON.stringify(id)}}}\n`) + document + '\n';
    };
    return {
      name: 'elasticsearch bulk',
      prefix: '',
      separator: '',
      suffix: '',
      contentType: 'application/x-ndjson',
      encode,
      indexOf: (event) => indices.get(event),
    };
  }

  private fieldId(event: LogEvent): string | undefined {
    if (!this.idPath) return undefined;
    const value = getField(event, this.idPath);
    return (typeof value === 'string' && value !== '') || typeof value === 'number' ? String(value) : undefined;
  }

  private contentId(event: LogEvent, document: string, taken: Map<string, LogEvent>): string {
    const remembered = this.suffixed.get(event);
    if (remembered !== undefined) return remembered;
    const meta = eventMeta(event);
    const position = meta?.offset === undefined ? '' : `\n${meta.path ?? ''}\n${meta.offset}`;
    const id = hash('sha256', document + position, 'base64url');
    const owner = taken.get(id);
    // The same event encoded again (a request split after compression) keeps its id.
    if (owner === undefined || owner === event) {
      taken.set(id, event);
      return id;
    }
    let n = 1;
    while (taken.has(`${id}~${n}`)) n++;
    const unique = `${id}~${n}`;
    taken.set(unique, event);
    this.suffixed.set(event, unique);
    return unique;
  }
}
