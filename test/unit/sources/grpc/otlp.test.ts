import { status } from '@grpc/grpc-js';
import { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-grpc';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { decodeOtlpLogs, type OtlpExportRequest } from '../../../../src/sources/grpc/otlp-events';
import { grpcMessageTypes } from '../../../../src/sources/grpc/protos';
import { until } from '../../../helpers/async';
import { metricValue } from '../../../helpers/context';
import { startGrpcSource, type RunningSource } from './source-harness';

const sources: RunningSource[] = [];
afterEach(async () => {
  for (const source of sources.splice(0)) await source.close();
});

const str = (value: string) => ({ string_value: value });
/** An export request through the real encoder and decoder, as the source sees it. */
function wire(request: object): OtlpExportRequest {
  const type = grpcMessageTypes().exportLogsRequest;
  return type.decode(type.encode(request).finish()) as unknown as OtlpExportRequest;
}

describe('OTLP logs mapping', () => {
  it('maps resource, scope, severity, body, attributes, trace ids and times', () => {
    const request = wire({
      resource_logs: [
        {
          resource: { attributes: [{ key: 'service.name', value: str('checkout') }, { key: 'host.name', value: str('node-7') }] },
          scope_logs: [
            {
              scope: { name: 'app.logger', version: '1.2.0', attributes: [{ key: 'lib', value: str('pino') }] },
              log_records: [
                {
                  time_unix_nano: '1700000000123456789',
                  observed_time_unix_nano: '1700000000200000000',
                  severity_number: 17,
                  severity_text: 'ERROR',
                  body: str('payment failed'),
                  attributes: [
                    { key: 'order', value: { int_value: 42 } },
                    { key: 'big', value: { int_value: '9007199254740993' } },
                    { key: 'tags', value: { array_value: { values: [str('a'), { bool_value: true }] } } },
                    { key: 'http', value: { kvlist_value: { values: [{ key: 'status', value: { int_value: 502 } }] } } },
                    { key: 'raw', value: { bytes_value: Buffer.from('hi') } },
                  ],
                  trace_id: Buffer.from('0af7651916cd43dd8448eb211c80319c', 'hex'),
                  span_id: Buffer.from('b7ad6b7169203331', 'hex'),
                  flags: 1,
                },
                { body: { kvlist_value: { values: [{ key: 'k', value: str('v') }] } }, severity_text: 'notice' },
              ],
            },
          ],
        },
      ],
    });
    const { events, rejected } = decodeOtlpLogs(request, Date.parse('2024-01-01T00:00:00Z'), {});
    expect(rejected).toBe(0);
    expect(events[0]).toEqual({
      message: 'payment failed',
      timestamp: '2023-11-14T22:13:20.123Z',
      observed_timestamp: '2023-11-14T22:13:20.200Z',
      level: 'error',
      severity_number: 17,
      severity_text: 'ERROR',
      attributes: { order: 42, big: '9007199254740993', tags: ['a', true], http: { status: 502 }, raw: 'aGk=' },
      resource: { 'service.name': 'checkout', 'host.name': 'node-7' },
      scope: { name: 'app.logger', version: '1.2.0', attributes: { lib: 'pino' } },
      trace_id: '0af7651916cd43dd8448eb211c80319c',
      span_id: 'b7ad6b7169203331',
      trace_flags: 1,
      host: 'node-7',
      source: 'checkout',
    });
    expect(events[1]).toMatchObject({ body: { k: 'v' }, level: 'info', severity_text: 'notice', timestamp: '2024-01-01T00:00:00.000Z' });
    expect(events[1]).not.toHaveProperty('message');
  });

  it('refuses a record nested past max_depth or with an oversized string, keeping the others', () => {
    let deep: object = str('leaf');
    for (let i = 0; i < 20; i++) deep = { array_value: { values: [deep] } };
    const request = wire({
      resource_logs: [{ scope_logs: [{ log_records: [{ body: str('fine') }, { body: deep }, { body: str('x'.repeat(2000)) }] }] }],
    });
    const result = decodeOtlpLogs(request, Date.now(), { maxStringLength: 1000, maxDepth: 10 });
    expect(result.events.map((event) => event.message)).toEqual(['fine']);
    expect(result.rejected).toBe(2);
    expect(result.reasons[0]).toMatch(/log_records\[1\]: nested deeper than 10 levels/);
    expect(result.reasons[1]).toMatch(/log_records\[2\].*over the limit of 1000/);
  });
});

describe('grpc source: OTLP Export', () => {
  it('takes what the OpenTelemetry SDK exporter sends and answers once delivered', async () => {
    const source = await startGrpcSource();
    sources.push(source);
    const exporter = new OTLPLogExporter({ url: `http://${source.address}` });
    // The exporter's own verdict on each export (0: SUCCESS).
    const results: number[] = [];
    const exportRecords = exporter.export.bind(exporter);
    exporter.export = (records, done) => exportRecords(records, (result) => (results.push(result.code), done(result)));
    const provider = new LoggerProvider({ resource: resourceFromAttributes({ 'service.name': 'billing' }), processors: [new SimpleLogRecordProcessor(exporter)] });
    const logger = provider.getLogger('billing.worker', '3.1.0');
    logger.emit({ severityNumber: 13, severityText: 'WARN', body: 'disk almost full', attributes: { 'disk.free': 1024, mount: '/var' } });
    await until(() => source.batches.length === 1, 10_000);
    const [event] = source.batches[0]?.events ?? [];
    expect(event).toMatchObject({
      message: 'disk almost full',
      level: 'warn',
      severity_number: 13,
      severity_text: 'WARN',
      attributes: { 'disk.free': 1024, mount: '/var' },
      source: 'billing',
      scope: { name: 'billing.worker', version: '3.1.0' },
    });
    expect(event?.resource).toMatchObject({ 'service.name': 'billing' });
    expect(source.batches[0]?.meta).toMatchObject({ input: 'otlp' });
    expect(results).toEqual([]);
    source.resolveAll();
    await until(() => results.length === 1, 10_000);
    expect(results).toEqual([0]);
    await provider.shutdown();
  }, 20_000);

  it('answers partial_success for refused records and UNAVAILABLE when delivery failed retryably', async () => {
    const source = await startGrpcSource({ max_string_chars: 10 });
    sources.push(source);
    const client = source.client();
    const request = { resource_logs: [{ scope_logs: [{ log_records: [{ body: str('ok') }, { body: str('far too long for the limit') }] }] }] };
    const answer = client.export(request);
    await until(() => source.batches.length === 1);
    source.resolveAll();
    const result = await answer;
    expect(result.ok && result.response.partial_success?.rejected_log_records).toBe(1);
    expect(result.ok && result.response.partial_success?.error_message).toMatch(/log_records\[1\]/);
    expect(await metricValue(source.ctx.pipelineMetrics, 'sluice_source_rejected_events_total', { reason: 'invalid' })).toBe(1);

    const retry = client.export(request);
    await until(() => source.batches.length === 2);
    const error = Object.assign(new Error('sink unreachable'), { code: 'ECONNREFUSED' });
    source.batches[1]?.ack.reject(error);
    const failed = await retry;
    expect(!failed.ok && failed.error.code).toBe(status.UNAVAILABLE);
    expect(!failed.ok && failed.error.metadata.get('retry-after-ms')).toEqual(['1000']);
  });
});
