import { mkdir } from 'node:fs/promises';
import { Command } from 'commander';
import { NotFoundError, ValidationError } from '../../domain/index.js';
import type { AccessRole, Registry } from '../../registry/index.js';
import { generateAccessKey, ROLES } from '../../server/auth/access-keys.js';
import { printJson, printTable, withExamples } from '../output.js';
import { refuseEndpoint, type GlobalOptions } from '../store-options.js';

/**
 * Keys live in the registry, which these commands open on their own: they work while a server
 * holds the data directory (SQLite allows it; PostgreSQL is shared anyway), and a running
 * server sees a new key at once and a deleted one within seconds.
 */
async function withRegistry<T>(options: GlobalOptions, run: (registry: Registry) => Promise<T>): Promise<T> {
  refuseEndpoint(options, 'keys');
  if (!options.registryUrl) await mkdir(options.dataDir, { recursive: true });
  const [{ openRegistry }, { registryOptions }] = await Promise.all([import('../../registry/index.js'), import('../../sdk/open-options.js')]);
  const registry = await openRegistry(registryOptions({ dataDir: options.dataDir, ...(options.registryUrl ? { registryUrl: options.registryUrl } : {}) }));
  try {
    return await run(registry);
  } finally {
    await registry.close();
  }
}

export function keysCommand(globals: () => GlobalOptions): Command {
  const keys = new Command('keys').description('API access keys (SigV4): create, list, delete');

  keys
    .command('create')
    .description('create a key; its secret is printed once, here')
    .requiredOption('--role <role>', `${ROLES.join(' | ')}`)
    .option('--feature-groups <names>', 'limit the key to these feature groups, comma-separated')
    .action(async (opts: { role: string; featureGroups?: string }) => {
      const groups = opts.featureGroups?.split(',').map((s) => s.trim()).filter((s) => s !== '');
      if (opts.featureGroups !== undefined && groups!.length === 0) {
        throw new ValidationError('feature-groups: name at least one feature group', { field: 'feature-groups' });
      }
      const key = generateAccessKey(opts.role as AccessRole, groups);
      await withRegistry(globals(), (registry) => registry.putAccessKey(key));
      if (globals().json) return printJson(key);
      console.log(`access key id:     ${key.accessKeyId}`);
      console.log(`secret access key: ${key.secretAccessKey}`);
      console.log(`role:              ${key.role}${key.featureGroups ? ` (feature groups: ${key.featureGroups.join(', ')})` : ''}`);
      console.log('the secret is not shown again');
    });

  keys
    .command('list')
    .description('list keys (never their secrets)')
    .action(async () => {
      const all = await withRegistry(globals(), (registry) => registry.listAccessKeys());
      const rows = all.map((k) => ({ accessKeyId: k.accessKeyId, role: k.role, featureGroups: k.featureGroups ?? null, createdAt: k.createdAt }));
      if (globals().json) return printJson(rows);
      printTable(rows.map((r) => ({ ...r, featureGroups: r.featureGroups?.join(', ') ?? '(all)' })), ['accessKeyId', 'role', 'featureGroups', 'createdAt']);
    });

  keys
    .command('delete')
    .description('delete a key; a running server refuses it within seconds')
    .argument('<access-key-id>')
    .action(async (id: string) => {
      const deleted = await withRegistry(globals(), (registry) => registry.deleteAccessKey(id));
      if (!deleted) throw new NotFoundError(`access-key-id: no key '${id}'`, { field: 'access-key-id' });
      if (globals().json) printJson({ deleted: id });
      else console.log(`deleted access key ${id}`);
    });

  return withExamples(
    keys,
    'floe keys create --role admin',
    'floe keys create --role reader --feature-groups users,spend',
    'floe keys list',
    'floe keys delete AKIA...',
  );
}
