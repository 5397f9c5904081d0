import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { SageMakerFeatureStoreRuntimeClient } from '@aws-sdk/client-sagemaker-featurestore-runtime';
import type { AccessRole } from '../../registry/index.js';
import { generateAccessKey } from '../auth/access-keys.js';
import { startServer, type RunningServer, type ServeOptions } from '../serve.js';

export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
}

/** A real listening server on a temp data directory, with the official AWS clients pointed at it. */
export interface TestServer {
  server: RunningServer;
  dataDir: string;
  /** The first-start admin key, read back from the credentials file the server wrote. */
  admin: Credentials;
  /** Every log line the server wrote. */
  logs: string[];
  sagemaker(credentials?: Credentials, extra?: Record<string, unknown>): SageMakerClient;
  runtime(credentials?: Credentials, extra?: Record<string, unknown>): SageMakerFeatureStoreRuntimeClient;
  /** A new key of a role, stored in the registry. */
  key(role: AccessRole, featureGroups?: string[]): Promise<Credentials>;
  stop(): Promise<void>;
}

export interface TestServerOptions {
  /** Serve this data directory (kept on stop) instead of a fresh temp one (removed on stop). */
  dataDir?: string;
  /** More options for startServer (a Redis online store, a PostgreSQL registry, ...). */
  serve?: Partial<ServeOptions>;
}

export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), 'floe-server-')));
  const logs: string[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      logs.push(String(chunk));
      done();
    },
  });
  const server = await startServer({ dataDir, port: 0, env: {}, logLevel: 'debug', logDestination: destination, offlineCommit: { maxDelayMs: 20 }, ...options.serve });
  const file = await readFile(join(dataDir, 'credentials'), 'utf8');
  const admin = {
    accessKeyId: /aws_access_key_id = (\S+)/.exec(file)![1]!,
    secretAccessKey: /aws_secret_access_key = (\S+)/.exec(file)![1]!,
  };
  const config = (credentials: Credentials, extra: Record<string, unknown>) => ({
    endpoint: server.url,
    region: 'us-east-1',
    credentials,
    maxAttempts: 1,
    ...extra,
  });
  const clients: Array<{ destroy(): void }> = [];
  return {
    server,
    dataDir,
    admin,
    logs,
    sagemaker(credentials = admin, extra = {}) {
      const client = new SageMakerClient(config(credentials, extra));
      clients.push(client);
      return client;
    },
    runtime(credentials = admin, extra = {}) {
      const client = new SageMakerFeatureStoreRuntimeClient(config(credentials, extra));
      clients.push(client);
      return client;
    },
    async key(role, featureGroups) {
      const key = generateAccessKey(role, featureGroups);
      await server.store.accessKeys.putAccessKey(key);
      return { accessKeyId: key.accessKeyId, secretAccessKey: key.secretAccessKey };
    },
    async stop() {
      for (const c of clients) c.destroy();
      await server.close();
      if (!options.dataDir) await rm(dataDir, { recursive: true, force: true });
    },
  };
}
