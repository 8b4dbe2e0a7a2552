import type { BatchMeta } from '../../../src/core/batch';
import type { LogEvent } from '../../../src/core/event';
import { compilePath, getField } from '../../../src/core/field-path';

/** The stream an event belongs to, for grouping: see {@link streamKey}. */
export type StreamKey = (event: LogEvent, meta: BatchMeta | undefined) => string;

/** The origin a batch came from: its source, file path and connection (one file, one socket). */
function originOf(meta: BatchMeta | undefined): string {
  if (meta === undefined) return '';
  return `${meta.source ?? ''}\u0000${meta.path ?? ''}\u0000${meta.connection ?? ''}`;
}

/**
 * The key of the stream an event belongs to: the batch's origin (source, file path,
 * connection), so two files or two senders never share a group, plus the values of
 * `fields` (`kubernetes.container`, `stream`: stdout and stderr of one container interleave
 * in one file). `1`, `"1"` and a missing field stay apart.
 */
export function streamKey(fields: readonly string[] = []): StreamKey {
  const paths = fields.map((field) => compilePath(field));
  // Every event of a batch shares its meta object: build the origin once per batch, not per event.
  let lastMeta: BatchMeta | undefined;
  let lastOrigin = '';
  const origin = (meta: BatchMeta | undefined): string => {
    if (meta !== lastMeta) {
      lastMeta = meta;
      lastOrigin = originOf(meta);
    }
    return lastOrigin;
  };
  if (paths.length === 0) return (_event, meta) => origin(meta);
  return (event, meta) => {
    let key = origin(meta);
    for (const path of paths) {
      const value = getField(event, path);
      // Strings (the usual key: a stream, a container) go in as they are, others JSON-encoded behind a different mark.
      key += typeof value === 'string' ? `\u0001${value}` : `\u0002${value === undefined ? '' : JSON.stringify(value)}`;
    }
    return key;
  };
}
