import type { IncomingMessage } from 'node:http';
import { createGunzip, createInflate, type Gunzip, type Inflate } from 'node:zlib';
import type { SchedulerLike, Subscription } from 'rxjs';
import { createZstdDecompress, DecodedTooLarge } from './zstd';

/** The content codings the HTTP source decodes. */
export type ContentCoding = 'identity' | 'gzip' | 'deflate' | 'zstd';

/** The coding named by a `Content-Encoding` header, or undefined for one it does not decode (415). */
export function contentCodingOf(header: string | undefined): ContentCoding | undefined {
  const value = (header ?? 'identity').trim().toLowerCase();
  if (value === '' || value === 'identity') return 'identity';
  if (value === 'gzip' || value === 'x-gzip') return 'gzip';
  if (value === 'deflate' || value === 'zstd') return value;
  return undefined;
}

/** Why a body could not be read. */
export type BodyFailure =
  | { readonly reason: 'too_large'; readonly message: string }
  | { readonly reason: 'bad_encoding'; readonly message: string }
  | { readonly reason: 'body_timeout'; readonly message: string }
  | { readonly reason: 'aborted'; readonly message: string };

/** A read body: the decoded bytes and what arrived on the wire. */
export type BodyResult = { readonly ok: true; readonly body: Buffer; readonly wireBytes: number } | ({ readonly ok: false } & BodyFailure);

/** Options of {@link readBody}. */
export interface ReadBodyOptions {
  readonly coding: ContentCoding;
  /** Most bytes on the wire and, separately, after decompression. */
  readonly maxBytes: number;
  /** Longest pause between two pieces of the body. */
  readonly idleTimeoutMs: number;
  readonly scheduler: SchedulerLike;
}

function decoderFor(coding: ContentCoding, maxBytes: number): Gunzip | Inflate | ReturnType<typeof createZstdDecompress> | undefined {
  switch (coding) {
    case 'identity':
      return undefined;
    case 'gzip':
      return createGunzip();
    case 'deflate':
      return createInflate();
    case 'zstd':
      return createZstdDecompress(maxBytes);
  }
}

/**
 * Reads a request body with bounds, never holding more than `maxBytes` (plus one chunk):
 * bytes on the wire are counted as they arrive and so is the decompressed output (gzip and
 * deflate through node:zlib streams on the thread pool, zstd through fzstd), so neither a
 * huge body nor a zip bomb is buffered. The first bound crossed ends the read with
 * `too_large`; the rest of the body is then left to be discarded as the connection closes.
 * A body that stalls for `idleTimeoutMs` ends with `body_timeout`.
 */
export function readBody(request: IncomingMessage, options: ReadBodyOptions): Promise<BodyResult> {
  const { maxBytes, scheduler } = options;
  return new Promise<BodyResult>((resolve) => {
    const decoder = decoderFor(options.coding, maxBytes);
    const chunks: Buffer[] = [];
    let wireBytes = 0;
    let decodedBytes = 0;
    let done = false;
    let idle: Subscription | undefined;

    const finish = (result: BodyResult): void => {
      if (done) return;
      done = true;
      idle?.unsubscribe();
      request.off('data', onData);
      request.off('end', onEnd);
      request.off('aborted', onAborted);
      request.off('close', onAborted);
      if (decoder) {
        decoder.off('data', collect);
        decoder.destroy();
      }
      // Drop what is still coming: flowing with no listener discards it without buffering.
      if (!result.ok) request.resume();
      resolve(result);
    };
    const tooLarge = (): void => finish({ ok: false, reason: 'too_large', message: `body is over max_body_bytes (${maxBytes} bytes${options.coding === 'identity' ? '' : ', before or after decompression'})` });
    const armIdle = (): void => {
      idle?.unsubscribe();
      idle = scheduler.schedule(() => finish({ ok: false, reason: 'body_timeout', message: `no body data for ${options.idleTimeoutMs} ms` }), options.idleTimeoutMs);
    };
    function collect(chunk: Buffer): void {
      decodedBytes += chunk.length;
      if (decodedBytes > maxBytes) return tooLarge();
      chunks.push(chunk);
    }
    function onData(chunk: Buffer): void {
      wireBytes += chunk.length;
      if (wireBytes > maxBytes) return tooLarge();
      armIdle();
      if (!decoder) return collect(chunk);
      if (!decoder.write(chunk)) {
        request.pause();
        decoder.once('drain', () => {
          if (!done) request.resume();
        });
      }
    }
    function onEnd(): void {
      if (!decoder) return finish({ ok: true, body: Buffer.concat(chunks, decodedBytes), wireBytes });
      idle?.unsubscribe();
      decoder.end();
    }
    function onAborted(): void {
      if (!request.complete) finish({ ok: false, reason: 'aborted', message: 'the client closed the connection before the body was complete' });
    }

    if (decoder) {
      decoder.on('data', collect);
      decoder.once('end', () => finish({ ok: true, body: Buffer.concat(chunks, decodedBytes), wireBytes }));
      decoder.once('error', (error: Error) => {
        if (error instanceof DecodedTooLarge) return tooLarge();
        finish({ ok: false, reason: 'bad_encoding', message: `cannot decode the ${options.coding} body: ${error.message}` });
      });
    }
    armIdle();
    request.on('data', onData);
    request.once('end', onEnd);
    request.once('aborted', onAborted);
    request.once('close', onAborted);
  });
}
