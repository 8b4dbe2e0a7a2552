/**
 * Where the test servers started by test/services/*.sh listen, and how to log in. Tests import
 * these instead of hard-coding ports. Each value can be overridden from the environment to point
 * the suite at servers run elsewhere (the scripts themselves always use the defaults).
 */

const env = (name: string, fallback: string): string => process.env[name] ?? fallback;
const list = (name: string, fallback: string): string[] => env(name, fallback).split(',').map((s) => s.trim());

/** Plaintext listener of the single-node KRaft broker. */
export const KAFKA_BROKERS: readonly string[] = list('SLUICE_KAFKA_BROKERS', '127.0.0.1:19092');
/** SASL_PLAINTEXT listener: accepts PLAIN, SCRAM-SHA-256 and SCRAM-SHA-512 with KAFKA_SASL_* below. */
export const KAFKA_SASL_BROKERS: readonly string[] = list('SLUICE_KAFKA_SASL_BROKERS', '127.0.0.1:19093');
export const KAFKA_SASL_USERNAME = env('SLUICE_KAFKA_SASL_USERNAME', 'sluice');
export const KAFKA_SASL_PASSWORD = env('SLUICE_KAFKA_SASL_PASSWORD', 'sluice-secret');

/** Elasticsearch HTTP endpoint; security is off, so no credentials. */
export const ES_URL = env('SLUICE_ES_URL', 'http://127.0.0.1:19200');

/** S3-compatible server (MinIO); clients must use path-style addressing. */
export const S3_ENDPOINT = env('SLUICE_S3_ENDPOINT', 'http://127.0.0.1:19000');
export const S3_REGION = env('SLUICE_S3_REGION', 'us-east-1');
export const S3_ACCESS_KEY_ID = env('SLUICE_S3_ACCESS_KEY_ID', 'sluice');
export const S3_SECRET_ACCESS_KEY = env('SLUICE_S3_SECRET_ACCESS_KEY', 'sluice-secret');
export const S3_FORCE_PATH_STYLE = true;

/** What a test prints when it cannot reach a server. */
export const START_HINT =
  'Start the test servers with `npm run services:up` (bash test/services/all.sh up); ' +
  'see test/services/README.md. Logs are in ~/.cache/sluice-test-services/run/.';
