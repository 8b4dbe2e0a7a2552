import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The servers test/services can start a private copy of. */
export type PrivateServerKind = 'kafka' | 'elasticsearch' | 's3';

/** Options of {@link PrivateServer.start}. */
export interface PrivateServerOptions {
  /** Names the instance's pid file, log and data; letters, digits, `-` and `_`. */
  readonly name: string;
  /**
   * Its first port. Kafka takes `port` (PLAINTEXT), `port + 1` (SASL) and `port + 2`
   * (controller); Elasticsearch `port` (HTTP) and `port + 100` (transport); S3 `port`.
   */
  readonly port: number;
  /** Elasticsearch node settings (`thread_pool.write.queue_size=1`). */
  readonly settings?: readonly string[];
}

const servicesDir = __dirname;
const runDir = join(process.env.SLUICE_SERVICES_CACHE ?? join(homedir(), '.cache', 'sluice-test-services'), 'run');
const PORT_VARIABLE: Record<PrivateServerKind, string> = { kafka: 'SLUICE_KAFKA_PORT', elasticsearch: 'SLUICE_ES_PORT', s3: 'SLUICE_S3_PORT' };

/**
 * A private copy of a test server, for tests that must take a server away (outage tests) or
 * run it with special settings (Elasticsearch with a tiny write queue). The shared servers
 * serve every other test in parallel, so stopping one of them would fail tests that have
 * nothing to do with the outage; a private instance has its own ports, pid file, log and
 * data, and is driven by the same scripts (`SLUICE_SERVICE_INSTANCE`), so it is the same
 * server the other tests use. The binaries come from the cache the shared servers were
 * installed into (the jest global setup installs them first).
 *
 * Two kinds of outage: {@link stop}/{@link restart} kill the server and start it again on
 * the same data (a crash or a deploy: connections are refused meanwhile), and
 * {@link freeze}/{@link thaw} stop and continue its process (a hung server: connections
 * open but nothing answers, so clients meet their timeouts).
 */
export class PrivateServer {
  private constructor(
    readonly kind: PrivateServerKind,
    private readonly options: PrivateServerOptions,
  ) {}

  /** Starts a fresh instance (its data from an earlier run is wiped). */
  static async start(kind: PrivateServerKind, options: PrivateServerOptions): Promise<PrivateServer> {
    const server = new PrivateServer(kind, options);
    await server.script('up', false);
    return server;
  }

  /** Kafka bootstrap servers of the PLAINTEXT listener. */
  get brokers(): string[] {
    return [`127.0.0.1:${this.options.port}`];
  }

  /** The HTTP endpoint (Elasticsearch, S3). */
  get url(): string {
    return `http://127.0.0.1:${this.options.port}`;
  }

  /** Stops the server (SIGTERM, then SIGKILL after the script's grace period); its data is kept. */
  async stop(): Promise<void> {
    await this.script('down', true);
  }

  /** Starts it again on the data it had, waiting until it is healthy. */
  async restart(): Promise<void> {
    await this.script('up', true);
  }

  /** Suspends the server's process: it keeps its sockets but answers nothing. */
  freeze(): void {
    process.kill(this.pid(), 'SIGSTOP');
  }

  /** Resumes a frozen server. */
  thaw(): void {
    process.kill(this.pid(), 'SIGCONT');
  }

  /** Stops the server for good (its data is wiped by the next fresh start of this name). */
  async destroy(): Promise<void> {
    try {
      this.thaw();
    } catch {
      // not running: nothing to continue
    }
    await this.script('down', false);
  }

  private pid(): number {
    return Number(readFileSync(join(runDir, `${this.kind}-${this.options.name}.pid`), 'utf8').trim());
  }

  private async script(command: 'up' | 'down', keepData: boolean): Promise<void> {
    const env = {
      ...process.env,
      SLUICE_SERVICE_INSTANCE: this.options.name,
      SLUICE_SERVICE_KEEP_DATA: keepData ? '1' : '0',
      [PORT_VARIABLE[this.kind]]: String(this.options.port),
      SLUICE_ES_SETTINGS: (this.options.settings ?? []).join(' '),
    };
    try {
      await run('bash', [join(servicesDir, `${this.kind}.sh`), command], { env, maxBuffer: 16 * 1024 * 1024 });
    } catch (error) {
      const { stderr } = error as { stderr?: string };
      throw new Error(`${this.kind}.sh ${command} (instance ${this.options.name}) failed:\n${stderr ?? String(error)}`);
    }
  }
}
