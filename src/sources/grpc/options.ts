import { bytes, duration, integer, string, type InferOut } from '../../config/schema';
import type { SourceCommonShape } from '../../components/define';
import { ingestOptions } from '../ingest/options';
import { DEFAULT_MAX_DEPTH } from '../../../operators/parse/json';
import { DEFAULT_MAX_STRING_LENGTH } from '../ingest/normalize';

/** Option names, declared once: the schema below is their documentation. */
export const ADDRESS = 'address';
export const MAX_MESSAGE_BYTES = 'max_message_bytes';
export const MAX_CONCURRENT_STREAMS = 'max_concurrent_streams';
export const KEEPALIVE_TIME = 'keepalive_time';
export const KEEPALIVE_TIMEOUT = 'keepalive_timeout';
export const IDLE_TIMEOUT = 'idle_timeout';
export const DRAIN_TIMEOUT = 'drain_timeout';
export const RETRY_AFTER = 'retry_after';
export const MAX_DEPTH = 'max_depth';
export const MAX_STRING_CHARS = 'max_string_chars';

/** The `type: grpc` options; the definition (./index) documents them, ./serve runs them. */
export const grpcOptions = {
    [ADDRESS]: string({ description: '`host:port` to listen on (`0.0.0.0:4317` for every interface, `[::]:4317` for IPv6).', default: '127.0.0.1:4317', example: '0.0.0.0:4317', pattern: /^(\[[0-9a-fA-F:.]+\]|[^\s:[\]]+):\d{1,5}$/ }),
    ...ingestOptions,
    [MAX_MESSAGE_BYTES]: bytes({ description: 'Largest request message; a larger one is refused with RESOURCE_EXHAUSTED before it is read.', default: 4 * 1024 * 1024, example: '16MiB', min: 1024, max: 2 ** 31 - 1 }),
    [MAX_CONCURRENT_STREAMS]: integer({ description: 'Most calls at once on one client connection (HTTP/2 streams).', default: 100, example: 16, min: 1, max: 2 ** 31 - 1 }),
    [KEEPALIVE_TIME]: duration({ description: 'Ping a connection after it was quiet this long, to find dead clients.', default: 60_000, example: '30s', min: 1000 }),
    [KEEPALIVE_TIMEOUT]: duration({ description: 'Close a connection whose ping is not answered within this.', default: 20_000, example: '10s', min: 100 }),
    [IDLE_TIMEOUT]: duration({ description: 'Close a connection that had no call for this long (the client reconnects when it needs to).', default: 300_000, example: '1m', min: 1000 }),
    [DRAIN_TIMEOUT]: duration({ description: 'On stop, how long in-flight batches may take to settle; those still unanswered then fail with UNAVAILABLE (the client resends them). Keep it below the pipeline\'s `shutdown_timeout`.', default: 25_000, example: '10s', min: 0 }),
    [RETRY_AFTER]: duration({ description: 'The retry hint sent with RESOURCE_EXHAUSTED when the source is out of credit (`retry-after-ms` trailer and google.rpc.RetryInfo).', default: 500, example: '1s', min: 1 }),
    [MAX_DEPTH]: integer({ description: 'Deepest nesting of an event\'s fields (the event is level 1); a deeper event is refused by index.', default: DEFAULT_MAX_DEPTH, example: 16, min: 1, max: 1000 }),
    [MAX_STRING_CHARS]: integer({ description: 'Longest string value or key in an event, in characters; a longer one refuses the event.', default: DEFAULT_MAX_STRING_LENGTH, example: 65536, min: 1 }),
};

/** The validated options, common source options included. */
export type GrpcSourceConfig = InferOut<typeof grpcOptions & SourceCommonShape>;
