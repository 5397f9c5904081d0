import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './server/testing/test-server.js';

const run = promisify(execFile);
const example = (name: string) => fileURLToPath(new URL(`../examples/${name}`, import.meta.url));

/** The Python that runs the boto3 example: FLOE_PYTHON, else python3 on the PATH. */
const python = process.env.FLOE_PYTHON ?? 'python3';

/** Runs an example as a user would (npx tsx examples/..., python3 examples/...), with the given environment. */
async function runExample(name: string, env: NodeJS.ProcessEnv): Promise<string[]> {
  const [command, args] = name.endsWith('.py') ? [python, [example(name)]] : [process.execPath, ['--import', 'tsx', example(name)]];
  const { stdout } = await run(command, args, { env: { ...process.env, ...env } });
  return stdout.trim().split('\n');
}

/** What both SageMaker-SDK walkthroughs (JavaScript and boto3) print before their last line. */
const SDK_WALKTHROUGH = [
  'put 9 records',
  'get u1 {"user_id":"u1","event_time":"2025-01-03T00:00:00Z","age":"31","score":"0.75","clicks":"-9223372036854775808","tags":["a","b"]}',
  'batch u1 {"event_time":"2025-01-03T00:00:00Z","age":"31"}',
  'batch u2 {"event_time":"2025-02-02T00:00:00Z","age":"41"}',
  'batch u3 {"event_time":"2025-03-01T12:00:00+02:00","age":"51"}',
  'get u2 after delete no record',
];

describe('examples', { timeout: 120_000 }, () => {
  let dir: string;
  let server: TestServer;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'floe-examples-'));
    server = await startTestServer();
  });
  afterAll(async () => {
    await server?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('the seed walkthrough with the Floe SDK', async () => {
    const lines = await runExample('seed-walkthrough.ts', { FLOE_DATA_DIR: join(dir, 'sdk') });
    expect(lines).toEqual([
      'ingested 9 records',
      'online u1 2025-01-03T00:00:00Z 31',
      'online u2 2025-02-02T00:00:00Z 41',
      'online u3 2025-03-01T12:00:00+02:00 51',
      'training u1 1 99',
      'training u2 0 40',
      'training u3 1 51',
      'inference u1 31',
      'inference u2 null',
      'inference u3 null',
      'after delete null',
      'history 2025-01-15T00:00:00Z false',
      'history 2025-02-01T00:00:00Z false',
      'history 2025-02-02T00:00:00Z false',
      'history 2025-02-03T00:00:00Z true',
    ]);
  });

  it('the seed walkthrough with the official AWS SDK against a listening Floe server', async () => {
    const env = { FLOE_ENDPOINT: server.server.url, AWS_ACCESS_KEY_ID: server.admin.accessKeyId, AWS_SECRET_ACCESS_KEY: server.admin.secretAccessKey, AWS_REGION: 'us-east-1' };
    const lines = await runExample('seed-walkthrough-aws-sdk.ts', env);
    expect(lines).toEqual([...SDK_WALKTHROUGH, 'records u1,u3']);
    // The same data, seen through Floe: nine puts and a delete marker in the offline table.
    await server.server.store.featureGroup('user-feature-group').flush();
    const offline = await server.server.store.query('SELECT count(*) AS n, count(*) FILTER (WHERE is_deleted) AS deleted FROM "user-feature-group"');
    expect(offline.rows[0]).toEqual({ n: 10, deleted: 1 });
    // Run twice: the example cleans up after itself and starts over.
    expect((await runExample('seed-walkthrough-aws-sdk.ts', env))[0]).toBe('put 9 records');
  });

  it('the seed walkthrough with boto3 (Python) against a listening Floe server', async () => {
    await run(python, ['-c', 'import boto3']).catch((error: Error) => {
      throw new Error(`this test needs Python 3 with boto3 (pip install boto3, or FLOE_PYTHON=<a python that has it>): ${error.message}`);
    });
    const env = { FLOE_ENDPOINT: server.server.url, AWS_ACCESS_KEY_ID: server.admin.accessKeyId, AWS_SECRET_ACCESS_KEY: server.admin.secretAccessKey, AWS_REGION: 'us-east-1' };
    // The same answers as the JavaScript SDK's, and the typed exception of the Python client.
    expect(await runExample('seed_walkthrough_boto3.py', env)).toEqual([...SDK_WALKTHROUGH, 'refused age']);
  });
});
