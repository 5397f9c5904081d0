import { execFile, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync, X509Certificate } from 'node:crypto';
import { access, copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { Agent, get as httpsGet } from 'node:https';
import { get as httpGet } from 'node:http';
import { tmpdir } from 'node:os';
import { connect } from 'node:tls';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { CreateFeatureGroupCommand, DescribeFeatureGroupCommand, SageMakerClient } from '@aws-sdk/client-sagemaker';
import { GetRecordCommand, PutRecordCommand, SageMakerFeatureStoreRuntimeClient } from '@aws-sdk/client-sagemaker-featurestore-runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ValidationError } from '../domain/index.js';
import { serveProcess } from '../test-support/serve-process.js';
import { startServer, type RunningServer } from './serve.js';
import { loadTls, type TlsFiles } from './tls.js';

/** A self-signed certificate for 127.0.0.1 and localhost, valid until 2126: for tests only. */
const fixture: TlsFiles = {
  certFile: fileURLToPath(new URL('./testing/tls/localhost-cert.pem', import.meta.url)),
  keyFile: fileURLToPath(new URL('./testing/tls/localhost-key.pem', import.meta.url)),
};
/** Another certificate for the same names: the renewal a reload picks up. */
const renewed: TlsFiles = {
  certFile: fileURLToPath(new URL('./testing/tls/renewed-cert.pem', import.meta.url)),
  keyFile: fileURLToPath(new URL('./testing/tls/renewed-key.pem', import.meta.url)),
};
const main = fileURLToPath(new URL('../cli/main.ts', import.meta.url));
const credentials = { accessKeyId: 'FLOETLSKEY0000000001', secretAccessKey: 'tls-secret-for-tests-only' };

/** The official clients, trusting the test certificate (as a private CA would be trusted). */
async function clients(endpoint: string, caFile = fixture.certFile) {
  const config = { endpoint, region: 'us-east-1', credentials, maxAttempts: 1, requestHandler: { httpsAgent: new Agent({ ca: await readFile(caFile) }) } };
  return { control: new SageMakerClient(config), runtime: new SageMakerFeatureStoreRuntimeClient(config) };
}

const usersGroup = (name: string) =>
  new CreateFeatureGroupCommand({
    FeatureGroupName: name,
    RecordIdentifierFeatureName: 'user_id',
    EventTimeFeatureName: 'event_time',
    FeatureDefinitions: [
      { FeatureName: 'user_id', FeatureType: 'String' },
      { FeatureName: 'event_time', FeatureType: 'String' },
      { FeatureName: 'age', FeatureType: 'Integral' },
    ],
    OnlineStoreConfig: { EnableOnlineStore: true },
  });

const user = (id: string, age: number) => [
  { FeatureName: 'user_id', ValueAsString: id },
  { FeatureName: 'event_time', ValueAsString: '2025-01-01T00:00:00Z' },
  { FeatureName: 'age', ValueAsString: String(age) },
];

/** The fingerprint of a PEM certificate file. */
const fingerprint = async (certFile: string) => new X509Certificate(await readFile(certFile)).fingerprint256;

/** The fingerprint of the certificate a new connection to `url` is shown (trusting both test certificates). */
async function servedFingerprint(url: string): Promise<string> {
  const { hostname, port } = new URL(url);
  const ca = [await readFile(fixture.certFile), await readFile(renewed.certFile)];
  return new Promise((resolve, reject) => {
    const socket = connect({ host: hostname, port: Number(port), ca, servername: 'localhost' }, () => {
      resolve(socket.getPeerCertificate().fingerprint256);
      socket.end();
    });
    socket.on('error', reject);
  });
}

/** Copies a certificate and key to `files` (as a renewal would overwrite them). */
async function install(from: TlsFiles, files: TlsFiles): Promise<void> {
  await copyFile(from.certFile, files.certFile);
  await copyFile(from.keyFile, files.keyFile);
}

/** What a plain-HTTP request to `url` gets: a status, or the error that ended it. */
function plainHttp(url: string): Promise<string> {
  return new Promise((resolve) => {
    httpGet(url.replace(/^https:/, 'http:') + '/health', (response) => {
      response.resume();
      resolve(`status ${response.statusCode}`);
    }).on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
  });
}

describe('loadTls', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'floe-tls-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads a certificate and its key', async () => {
    const tls = await loadTls(fixture);
    expect(tls.cert.toString()).toContain('BEGIN CERTIFICATE');
    expect(tls.key.toString()).toContain('PRIVATE KEY');
  });

  const refusal = async (files: TlsFiles) => {
    const error = await loadTls(files).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ValidationError);
    return error as ValidationError;
  };

  it('refuses a file it cannot read, naming the setting and the path', async () => {
    const missing = join(dir, 'missing.pem');
    const error = await refusal({ ...fixture, certFile: missing });
    expect(error.field).toBe('tls-cert');
    expect(error.message).toContain(missing);
    expect(error.message).toContain('ENOENT');
  });

  it('refuses a certificate file that holds no certificate', async () => {
    const notPem = join(dir, 'not-a-cert.pem');
    await writeFile(notPem, 'hello');
    const error = await refusal({ ...fixture, certFile: notPem });
    expect(error.field).toBe('tls-cert');
    expect(error.message).toMatch(/is not a PEM certificate/);
  });

  it('refuses a key file that holds the certificate instead', async () => {
    const error = await refusal({ certFile: fixture.certFile, keyFile: fixture.certFile });
    expect(error.field).toBe('tls-key');
    expect(error.message).toMatch(/not an unencrypted PEM private key/);
  });

  it("refuses another certificate's key", async () => {
    const other = join(dir, 'other-key.pem');
    await writeFile(other, generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey.export({ type: 'pkcs8', format: 'pem' }));
    const error = await refusal({ ...fixture, keyFile: other });
    expect(error.field).toBe('tls-key');
    expect(error.message).toMatch(/is not the private key of the certificate/);
    expect(error.message).not.toContain('PRIVATE KEY'); // the key's text is never echoed
  });
});

describe('floe serve over HTTPS, in one process', () => {
  let dir: string;
  let server: RunningServer;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'floe-tls-serve-'));
    server = await startServer({
      dataDir: join(dir, 'data'),
      port: 0,
      logLevel: 'silent',
      maintenance: false,
      env: { FLOE_ACCESS_KEY_ID: credentials.accessKeyId, FLOE_SECRET_ACCESS_KEY: credentials.secretAccessKey },
      tls: fixture,
    });
  });
  afterAll(async () => {
    await server?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('says https, and the official clients work through it', async () => {
    expect(server.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const { control, runtime } = await clients(server.url);
    await control.send(usersGroup('tls-users'));
    await runtime.send(new PutRecordCommand({ FeatureGroupName: 'tls-users', Record: user('u1', 41) }));
    const got = await runtime.send(new GetRecordCommand({ FeatureGroupName: 'tls-users', RecordIdentifierValueAsString: 'u1' }));
    expect(got.Record).toContainEqual({ FeatureName: 'age', ValueAsString: '41' });
    control.destroy();
    runtime.destroy();
  });

  it('serves health over TLS and nothing over plain HTTP', async () => {
    const ca = await readFile(fixture.certFile);
    const status = await new Promise<number | undefined>((resolve, reject) =>
      httpsGet(`${server.url}/health`, { ca }, (response) => {
        response.resume();
        resolve(response.statusCode);
      }).on('error', reject),
    );
    expect(status).toBe(200);
    expect(await plainHttp(server.url)).not.toMatch(/^status/);
  });

  it('refuses a client that does not trust the certificate', async () => {
    const untrusting = new SageMakerFeatureStoreRuntimeClient({ endpoint: server.url, region: 'us-east-1', credentials, maxAttempts: 1 });
    await expect(untrusting.send(new GetRecordCommand({ FeatureGroupName: 'tls-users', RecordIdentifierValueAsString: 'u1' }))).rejects.toThrow(/self[- ]signed/i);
    untrusting.destroy();
  });

  it('warns when it serves plain HTTP beyond this machine, and not on loopback or with TLS', async () => {
    const warnings = async (host: string, tls?: TlsFiles) => {
      const lines: string[] = [];
      const started = await startServer({
        dataDir: join(dir, `warn-${host}-${tls ? 'tls' : 'plain'}`),
        host,
        port: 0,
        maintenance: false,
        logLevel: 'warn',
        logDestination: { write: (line: string) => void lines.push(line) },
        ...(tls ? { tls } : {}),
      });
      await started.close();
      return lines.filter((l) => l.includes('plain HTTP'));
    };
    expect(await warnings('0.0.0.0')).toHaveLength(1);
    expect(await warnings('127.0.0.1')).toHaveLength(0);
    expect(await warnings('0.0.0.0', fixture)).toHaveLength(0);
  });

  it('reloads a renewed certificate for new connections, and keeps the running one when the new files are bad', async () => {
    const files: TlsFiles = { certFile: join(dir, 'reload-cert.pem'), keyFile: join(dir, 'reload-key.pem') };
    await install(fixture, files);
    const reloading = await startServer({ dataDir: join(dir, 'reload'), port: 0, logLevel: 'silent', maintenance: false, tls: files });
    try {
      expect(await servedFingerprint(reloading.url)).toBe(await fingerprint(fixture.certFile));
      await install(renewed, files);
      await reloading.reloadTls();
      expect(await servedFingerprint(reloading.url)).toBe(await fingerprint(renewed.certFile));
      await copyFile(fixture.keyFile, files.keyFile); // half a renewal: the key no longer matches
      await expect(reloading.reloadTls()).rejects.toMatchObject({ field: 'tls-key' });
      expect(await servedFingerprint(reloading.url)).toBe(await fingerprint(renewed.certFile));
    } finally {
      await reloading.close();
    }
    await expect(server.reloadTls()).resolves.toBeUndefined(); // the fixture itself, unchanged
  });

  it('does not start with a wrong key, and creates nothing', async () => {
    const dataDir = join(dir, 'never-created');
    await expect(startServer({ dataDir, port: 0, logLevel: 'silent', maintenance: false, tls: { ...fixture, keyFile: fixture.certFile } })).rejects.toMatchObject({
      field: 'tls-key',
    });
    await expect(access(dataDir)).rejects.toMatchObject({ code: 'ENOENT' });
  });
});

/** `floe serve` as a process, with the given arguments; resolves once it says where it listens. */
const serve = (args: string[]) =>
  serveProcess(['serve', '--port', '0', '--no-maintenance', ...args], { FLOE_ACCESS_KEY_ID: credentials.accessKeyId, FLOE_SECRET_ACCESS_KEY: credentials.secretAccessKey });

describe('floe serve --tls-cert --tls-key --workers 2, as a process', () => {
  let dir: string;
  let files: TlsFiles;
  let served: { child: ChildProcess; url: string };
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'floe-tls-workers-'));
    files = { certFile: join(dir, 'cert.pem'), keyFile: join(dir, 'key.pem') };
    await install(fixture, files);
    served = await serve(['--data-dir', join(dir, 'data'), '--workers', '2', '--tls-cert', files.certFile, '--tls-key', files.keyFile]);
  }, 60_000);
  afterAll(async () => {
    if (served) {
      const exited = new Promise((resolve) => served.child.once('exit', resolve));
      served.child.kill('SIGTERM');
      await exited;
    }
    await rm(dir, { recursive: true, force: true });
  });

  it('serves the workers’ own routes and the forwarded ones over TLS', async () => {
    expect(served.url).toMatch(/^https:/);
    const { control, runtime } = await clients(served.url);
    await control.send(usersGroup('tls-workers')); // forwarded to the primary
    await runtime.send(new PutRecordCommand({ FeatureGroupName: 'tls-workers', Record: user('w1', 7) })); // validated by a worker
    const got = await runtime.send(new GetRecordCommand({ FeatureGroupName: 'tls-workers', RecordIdentifierValueAsString: 'w1' })); // answered by a worker
    expect(got.Record).toContainEqual({ FeatureName: 'age', ValueAsString: '7' });
    const described = await control.send(new DescribeFeatureGroupCommand({ FeatureGroupName: 'tls-workers' }));
    expect(described.FeatureGroupStatus).toBe('Created');
    expect(await plainHttp(served.url)).not.toMatch(/^status/);
    control.destroy();
    runtime.destroy();
  });

  it('the CLI reaches it with --endpoint when Node trusts the certificate (NODE_EXTRA_CA_CERTS)', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', main, '--endpoint', served.url, '--json', 'get', 'tls-workers', 'w1'], {
      env: { ...process.env, NODE_EXTRA_CA_CERTS: fixture.certFile, FLOE_ACCESS_KEY_ID: credentials.accessKeyId, FLOE_SECRET_ACCESS_KEY: credentials.secretAccessKey },
    });
    expect(JSON.parse(stdout)).toMatchObject({ record: { user_id: 'w1', age: 7 } });
  });

  it('reloads the renewed certificate in every worker on SIGHUP, and keeps serving', async () => {
    await install(renewed, files);
    served.child.kill('SIGHUP');
    const expected = await fingerprint(renewed.certFile);
    // Connections are dealt to both workers: every one of several must show the renewal.
    const deadline = Date.now() + 10_000;
    let seen: string[] = [];
    while (Date.now() < deadline) {
      seen = await Promise.all(Array.from({ length: 6 }, () => servedFingerprint(served.url)));
      if (seen.every((f) => f === expected)) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(seen.every((f) => f === expected)).toBe(true);
    expect(served.child.exitCode).toBeNull();
    const { runtime } = await clients(served.url, renewed.certFile);
    const got = await runtime.send(new GetRecordCommand({ FeatureGroupName: 'tls-workers', RecordIdentifierValueAsString: 'w1' }));
    expect(got.Record).toContainEqual({ FeatureName: 'age', ValueAsString: '7' });
    runtime.destroy();
  });
});
