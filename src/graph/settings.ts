import { boolean, duration, object, string, type InferOut } from '../config/schema';

/** The pipeline-wide options: everything at the YAML top level except the components. */
export const settingsShape = {
  data_dir: string({ description: 'Directory for component state (checkpoints, buffers, dead letters).', default: 'data' }),
  api: object(
    {
      enabled: boolean({ description: 'Serve /metrics, /health, /ready and /stats.', default: true }),
      address: string({ description: 'host:port the API listens on.', default: '127.0.0.1:9598', pattern: /^[^:]+:\d+$/ }),
    },
    { description: 'The HTTP API: Prometheus metrics, health, readiness and per-component stats.' },
  ),
  shutdown_timeout: duration({ description: 'How long a graceful stop may drain before in-flight work is abandoned.', default: 30_000, min: 0 }),
};

export const settingsSchema = object(settingsShape, {
  description: 'Pipeline settings.',
  reserved: ['sources', 'transforms', 'sinks'],
});

export type PipelineSettingsConfig = InferOut<typeof settingsShape>;
