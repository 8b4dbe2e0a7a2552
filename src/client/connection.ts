import { connectivityState as ConnectivityState, type Client, type ClientDuplexStream, type Metadata, type StatusObject } from '@grpc/grpc-js';
import { STREAM_PATH } from './proto';

/** What {@link whenReady} reports: the channel is ready, or why it did not become ready. */
export type Readiness = { readonly ready: true } | { readonly ready: false; readonly problem: string };

/**
 * Calls `done` once `channel` is connected, or with the problem at `deadline` (or when the
 * channel was closed). Client.waitForReady would do, but it re-arms its watch even after the
 * channel is closed, keeping the process alive until the deadline; this one stops as soon as
 * `cancelled()` is true. Never calls back synchronously.
 */
export function whenReady(channel: Client, deadline: number, cancelled: () => boolean, done: (readiness: Readiness) => void): void {
  const inner = channel.getChannel();
  const check = (): void => {
    if (cancelled()) return;
    try {
      const state = inner.getConnectivityState(true);
      if (state === ConnectivityState.READY) return done({ ready: true });
      if (state === ConnectivityState.SHUTDOWN) return done({ ready: false, problem: 'the client was closed' });
      if (Date.now() >= deadline) return done({ ready: false, problem: 'no connection before the connect timeout' });
      inner.watchConnectivityState(state, deadline, check);
    } catch (error) {
      done({ ready: false, problem: (error as Error).message });
    }
  };
  setImmediate(check);
}

/** Handlers of one Stream call. */
export interface StreamCallHandlers {
  readonly onAck: (bytes: Buffer) => void;
  readonly onEnd: (status: StatusObject) => void;
}

const identity = (bytes: Buffer): Buffer => bytes;

/** Opens a `Stream` call whose requests are pre-encoded StreamRequests and whose answers stay bytes. */
export function openStreamCall(channel: Client, metadata: Metadata, handlers: StreamCallHandlers): ClientDuplexStream<Buffer, Buffer> {
  const call = channel.makeBidiStreamRequest<Buffer, Buffer>(STREAM_PATH, identity, identity, metadata.clone());
  call.on('data', handlers.onAck);
  // 'status' always follows an 'error'; this listener only keeps the error from being thrown.
  call.on('error', () => undefined);
  call.on('status', handlers.onEnd);
  return call;
}
