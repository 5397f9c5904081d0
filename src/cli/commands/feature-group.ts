import { Command } from 'commander';
import { ValidationError, type CreateFeatureGroupInput, type FeatureGroup, type TtlDuration } from '../../domain/index.js';
import { parseTtl } from '../../definitions/index.js';
import { printJson, printTable, withExamples } from '../output.js';
import { readDefinition } from '../read-definition.js';
import { withStore, type GlobalOptions } from '../store-options.js';

function summary(g: FeatureGroup): Record<string, unknown> {
  return {
    name: g.featureGroupName,
    status: g.featureGroupStatus,
    identifier: g.recordIdentifierFeatureName,
    eventTime: g.eventTimeFeatureName,
    features: g.features.length,
    online: g.onlineStoreConfig.enableOnlineStore,
    offline: g.offlineStoreConfig.enableOfflineStore,
    created: g.creationTime,
  };
}

function printGroup(g: FeatureGroup, json: boolean | undefined): void {
  if (json) return printJson(g);
  const ttl = g.onlineStoreConfig.ttlDuration;
  console.log(`${g.featureGroupName}  (${g.featureGroupStatus})`);
  console.log(`  arn:            ${g.featureGroupArn}`);
  console.log(`  identifier:     ${g.recordIdentifierFeatureName}`);
  console.log(`  event time:     ${g.eventTimeFeatureName}`);
  console.log(`  online store:   ${g.onlineStoreConfig.enableOnlineStore ? `enabled${ttl ? `, TTL ${ttl.value} ${ttl.unit}` : ''}` : 'disabled'}`);
  console.log(
    `  offline store:  ${g.offlineStoreConfig.enableOfflineStore ? `${g.offlineStoreConfig.tableFormat} ${g.offlineStoreConfig.s3StorageConfig?.resolvedOutputS3Uri ?? ''}` : 'disabled'}`,
  );
  if (g.description) console.log(`  description:    ${g.description}`);
  console.log(`  created:        ${g.creationTime.toISOString()}`);
  console.log('');
  printTable(
    g.features.map((f) => ({
      feature: f.featureName,
      type: f.featureType,
      collection: f.collectionType ? `${f.collectionType}${f.collectionConfig ? `(${f.collectionConfig.vectorConfig.dimension})` : ''}` : '',
      description: f.description ?? '',
    })),
    ['feature', 'type', 'collection', 'description'],
  );
}

/** --ttl: "7 Days", "7d" or "12h". */
function ttlOption(text: string): TtlDuration {
  const ttl = parseTtl(text);
  if (!ttl) throw new ValidationError(`--ttl: '${text}' is not a duration like "7 Days" or "12h"`, { field: 'ttl' });
  return ttl;
}

export function featureGroupCommand(globals: () => GlobalOptions): Command {
  const cmd = new Command('feature-group').alias('fg').description('create, describe, list, update and delete feature groups');

  cmd
    .command('create <file>')
    .description('create a feature group from a JSON or YAML definition file')
    .action(async (file: string) => {
      const definition = (await readDefinition(file)) as CreateFeatureGroupInput;
      const g = await withStore(globals(), (store) => store.createFeatureGroup(definition));
      if (globals().json) printJson(g);
      else console.log(`created feature group ${g.featureGroupName} (${g.features.length} features)`);
    });

  cmd
    .command('describe <name>')
    .description('show a feature group')
    .action(async (name: string) => {
      const g = await withStore(globals(), (store) => store.describeFeatureGroup(name));
      printGroup(g, globals().json);
    });

  cmd
    .command('list')
    .description('list feature groups')
    .option('--name-contains <text>', 'only names containing this text')
    .option('--status <status>', 'only groups in this status (Creating, Created, ...)')
    .option('--max-results <n>', 'page size (1-100)', (v) => Number(v))
    .option('--next-token <token>', 'continue a previous listing')
    .action(async (opts: { nameContains?: string; status?: FeatureGroup['featureGroupStatus']; maxResults?: number; nextToken?: string }) => {
      const page = await withStore(globals(), (store) =>
        store.listFeatureGroups({
          ...(opts.nameContains ? { nameContains: opts.nameContains } : {}),
          ...(opts.status ? { featureGroupStatusEquals: opts.status } : {}),
          ...(opts.maxResults !== undefined ? { maxResults: opts.maxResults } : {}),
          ...(opts.nextToken ? { nextToken: opts.nextToken } : {}),
        }),
      );
      if (globals().json) return printJson(page);
      printTable(page.featureGroups.map(summary), ['name', 'status', 'identifier', 'eventTime', 'features', 'online', 'offline', 'created']);
      if (page.nextToken) console.log(`\nmore: --next-token ${page.nextToken}`);
    });

  cmd
    .command('update <name>')
    .description('add features, change the online TTL or the description')
    .option('--add-features <file>', 'JSON or YAML list of feature definitions to add')
    .option('--ttl <duration>', 'online TTL, e.g. "7 Days" or 12h; "none" removes it')
    .option('--description <text>', 'new description')
    .action(async (name: string, opts: { addFeatures?: string; ttl?: string; description?: string }) => {
      const additions = opts.addFeatures ? await readDefinition(opts.addFeatures) : undefined;
      const g = await withStore(globals(), (store) =>
        store.updateFeatureGroup({
          featureGroupName: name,
          ...(additions === undefined ? {} : { featureAdditions: additions as never }),
          ...(opts.ttl === undefined ? {} : { onlineStoreConfig: { ttlDuration: opts.ttl === 'none' ? null : ttlOption(opts.ttl) } }),
          ...(opts.description === undefined ? {} : { description: opts.description }),
        }),
      );
      if (globals().json) printJson(g);
      else console.log(`updated feature group ${g.featureGroupName}`);
    });

  cmd
    .command('delete <name>')
    .description('delete a feature group, its online records and its offline table')
    .action(async (name: string) => {
      await withStore(globals(), (store) => store.deleteFeatureGroup(name));
      if (globals().json) printJson({ deleted: name });
      else console.log(`deleted feature group ${name}`);
    });

  return withExamples(
    cmd,
    'floe feature-group create examples/users.yaml',
    'floe fg list --name-contains user',
    'floe fg describe users',
    'floe fg update users --ttl 7d --add-features new-features.yaml',
    'floe fg delete users',
    '(declarative: floe plan -f features.yaml, floe apply -f features.yaml)',
  );
}
