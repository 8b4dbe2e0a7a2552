/**
 * A module loaded the first time it is needed, then kept. The definitions of components
 * built on a large client library (Elasticsearch, S3, gRPC, Kafka) reach their
 * implementation through it, so a pipeline loads only the clients it uses: those libraries
 * are about a third of the CLI's start-up (0.3 s), which every `workers` process pays again.
 * Their schemas and checks stay in the definition, loaded with the registry.
 */
export function lazyModule<T>(load: () => T): () => T {
  let loaded: T | undefined;
  return () => (loaded ??= load());
}
