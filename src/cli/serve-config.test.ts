import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ValidationError } from '../domain/index.js';
import { serveCommand, serveOptions } from './commands/serve.js';
import { readServeConfig } from './serve-config.js';
import { addGlobalOptions, type GlobalOptions } from './store-options.js';

describe('floe serve --config', () => {
  let dir: string;
  const file = async (name: string, text: string) => {
    const path = join(dir, name);
    await writeFile(path, text);
    return path;
  };
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'floe-serve-config-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('reads YAML and JSON, with dataDir taken from the file folder', async () => {
    const yaml = await file(
      'floe.yaml',
      'port: 9090\nhost: 0.0.0.0\ndataDir: data\nregistryUrl: postgres://localhost/floe\nredis:\n  url: redis://127.0.0.1:6379\n  prefix: "floe:"\nofflineCommit:\n  maxDelayMs: 500\n  maxRows: 2000\nlogLevel: warn\n',
    );
    expect(await readServeConfig(yaml)).toEqual({
      port: 9090,
      host: '0.0.0.0',
      dataDir: join(dir, 'data'),
      registryUrl: 'postgres://localhost/floe',
      redis: { url: 'redis://127.0.0.1:6379', prefix: 'floe:' },
      offlineCommit: { maxDelayMs: 500, maxRows: 2000 },
      logLevel: 'warn',
    });
    const json = await file('floe.json', JSON.stringify({ port: 0, dataDir: '/srv/floe' }));
    expect(await readServeConfig(json)).toEqual({ port: 0, dataDir: '/srv/floe' });
    expect(await readServeConfig(await file('empty.yaml', ''))).toEqual({});
  });

  it('refuses a bad file naming the setting, the reason and the file', async () => {
    const refusal = async (name: string, text: string) => {
      const path = await file(name, text);
      const error = await readServeConfig(path).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(ValidationError);
      return (error as ValidationError).message;
    };
    expect(await refusal('a.yaml', 'prot: 80\n')).toMatch(/^config: unknown setting 'prot' \(known: port, host, .*\) \(in .*a\.yaml\)$/);
    expect(await refusal('b.yaml', 'port: 70000\n')).toMatch(/^config\.port: must be 0 to 65535/);
    expect(await refusal('c.yaml', 'port: "80"\n')).toMatch(/^config\.port: must be a port number/);
    expect(await refusal('d.yaml', 'offlineCommit:\n  maxDelayMs: -1\n')).toMatch(/^config\.offlineCommit\.maxDelayMs: must be more than 0 milliseconds/);
    expect(await refusal('e.yaml', 'redis:\n  url: http://x\n')).toMatch(/^config\.redis\.url: must be a redis:\/\/ or rediss:\/\/ URL/);
    expect(await refusal('f.yaml', 'logLevel: loud\n')).toMatch(/^config\.logLevel: must be one of fatal, error, warn, info, debug, trace, silent/);
    expect(await refusal('g.yaml', '- port\n')).toMatch(/^config: must be a mapping of settings/);
    expect(await refusal('h.json', '{ "port": 80,, }')).toMatch(/^config: '.*h\.json' is not valid JSON/);
    expect(await refusal('i.yaml', 'port: [1\n')).toMatch(/^config: '.*i\.yaml' is not valid YAML/);
    await expect(readServeConfig(join(dir, 'missing.yaml'))).rejects.toThrow(/^config: cannot read '.*missing\.yaml' \(ENOENT\)$/);
  });

  /** Parses a real command line with the CLI's own options, and returns what serve would start with. */
  async function optionsFor(argv: string[], env: Record<string, string> = {}) {
    const saved = { ...process.env };
    Object.assign(process.env, env);
    try {
      let result: ReturnType<typeof serveOptions> | undefined;
      const program = addGlobalOptions(new Command('floe')).exitOverride();
      const serve = serveCommand(() => program.opts<GlobalOptions>());
      serve.action(async (flags, command: Command) => {
        const fileConfig = flags.config ? await readServeConfig(flags.config) : {};
        result = serveOptions(fileConfig, flags, program.opts<GlobalOptions>(), command.parent!);
      });
      program.addCommand(serve);
      await program.parseAsync(['node', 'floe', ...argv]);
      return result!;
    } finally {
      for (const key of Object.keys(env)) delete process.env[key];
      Object.assign(process.env, saved);
    }
  }

  it('lets flags and environment variables override the file, and the file override the defaults', async () => {
    const config = await file('layered.yaml', 'port: 9090\nhost: 0.0.0.0\ndataDir: from-file\nlogLevel: warn\nofflineCommit:\n  maxDelayMs: 50\n');
    const fromFile = await optionsFor(['serve', '--config', config]);
    expect(fromFile).toMatchObject({ port: 9090, host: '0.0.0.0', dataDir: join(dir, 'from-file'), logLevel: 'warn', offlineCommit: { maxDelayMs: 50 } });
    const flagged = await optionsFor(['--data-dir', '/tmp/flag-dir', 'serve', '--config', config, '--port', '0', '--log-level', 'debug']);
    expect(flagged).toMatchObject({ port: 0, host: '0.0.0.0', dataDir: '/tmp/flag-dir', logLevel: 'debug' });
    const environment = await optionsFor(['serve', '--config', config], { FLOE_PORT: '7070', FLOE_DATA_DIR: '/tmp/env-dir' });
    expect(environment).toMatchObject({ port: 7070, dataDir: '/tmp/env-dir', host: '0.0.0.0' });
    const defaults = await optionsFor(['serve']);
    expect(defaults).toMatchObject({ port: 8080, host: '127.0.0.1', dataDir: './.floe', logLevel: 'info' });
    await expect(optionsFor(['serve', '--port', 'http'])).rejects.toThrow(/^port: 'http' is not a port number/);
    await expect(optionsFor(['serve', '--log-level', 'loud'])).rejects.toThrow(/^log-level: must be one of/);
  });

  it('takes the worker count from the flag, the environment or the file; auto is one per core; anything else is refused', async () => {
    expect(await optionsFor(['serve'])).toMatchObject({ workers: 1 });
    expect(await optionsFor(['serve', '--workers', '3'])).toMatchObject({ workers: 3 });
    expect(await optionsFor(['serve', '--workers', 'auto'])).toMatchObject({ workers: availableParallelism() });
    expect(await optionsFor(['serve'], { FLOE_WORKERS: '2' })).toMatchObject({ workers: 2 });
    expect(await optionsFor(['serve', '--config', await file('workers.yaml', 'workers: 4\n')])).toMatchObject({ workers: 4 });
    for (const bad of ['0', '-1', '1.5', 'many', '257']) {
      await expect(optionsFor(['serve', '--workers', bad])).rejects.toThrow(new RegExp(`^workers: '${bad.replace('.', '\\.')}' is not a number of processes \\(1-256\\) or 'auto'`));
    }
    await expect(readServeConfig(await file('bad-workers.yaml', 'workers: none\n'))).rejects.toThrow(/^config\.workers: must be a number of processes or 'auto'/);
  });

  it('takes the TLS certificate and key from the flags, the environment or the file (paths from its folder), and only both together', async () => {
    expect(await optionsFor(['serve'])).not.toHaveProperty('tls');
    expect(await optionsFor(['serve', '--tls-cert', '/etc/floe/cert.pem', '--tls-key', '/etc/floe/key.pem'])).toMatchObject({
      tls: { certFile: '/etc/floe/cert.pem', keyFile: '/etc/floe/key.pem' },
    });
    expect(await optionsFor(['serve'], { FLOE_TLS_CERT: '/env/cert.pem', FLOE_TLS_KEY: '/env/key.pem' })).toMatchObject({
      tls: { certFile: '/env/cert.pem', keyFile: '/env/key.pem' },
    });
    const config = await file('tls.yaml', 'tls:\n  cert: certs/cert.pem\n  key: /abs/key.pem\n');
    expect(await optionsFor(['serve', '--config', config])).toMatchObject({ tls: { certFile: join(dir, 'certs/cert.pem'), keyFile: '/abs/key.pem' } });
    expect(await optionsFor(['serve', '--config', config, '--tls-key', '/flag/key.pem'])).toMatchObject({ tls: { certFile: join(dir, 'certs/cert.pem'), keyFile: '/flag/key.pem' } });
    await expect(optionsFor(['serve', '--tls-cert', '/etc/floe/cert.pem'])).rejects.toThrow(/^tls-key: --tls-cert was given without its private key/);
    await expect(optionsFor(['serve', '--tls-key', '/etc/floe/key.pem'])).rejects.toThrow(/^tls-cert: --tls-key was given without the certificate/);
    await expect(readServeConfig(await file('half-tls.yaml', 'tls:\n  cert: cert.pem\n'))).rejects.toThrow(/^config\.tls\.key: must be the path of a PEM private key file/);
  });
});
