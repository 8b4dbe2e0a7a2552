import { boolean, duration, integerOrAuto, object, string, type InferOut } from '../config/schema';

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
  workers: integerOrAuto({
    description:
      '`sluice run` processes running the whole pipeline side by side (`auto`: one per core, `os.availableParallelism()`). Above 1 a primary process forks them, serves the API with every worker\'s metrics, forwards stdin and restarts a crashed worker; each worker keeps its state in `<data_dir>/worker-<index>` and its sources share the input (see README: Using every core).',
    default: 1,
    example: 'auto',
    min: 1,
  }),
};

export const settingsSchema = object(settingsShape, {
  description: 'Pipeline settings.',
  reserved: ['sources', 'transforms', 'sinks'],
});

export type PipelineSettingsConfig = InferOut<typeof settingsShape>;
