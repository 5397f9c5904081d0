import { Command } from 'commander';
import { parse } from 'lossless-json';
import { ValidationError } from '../../domain/index.js';
import type { TargetStore } from '../../records/write-entry.js';
import { readDefinition } from '../read-definition.js';
import { printJson, printTable, withExamples } from '../output.js';
import { withStore, type GlobalOptions } from '../store-options.js';

/** Integers beyond 2^53 stay exact: parsed as bigint by lossless-json. */
function parseRecord(text: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = parse(text, undefined, (digits) => (/^-?\d+$/.test(digits) && !Number.isSafeInteger(Number(digits)) ? BigInt(digits) : Number(digits)));
  } catch (error) {
    throw new ValidationError(`record: not valid JSON: ${(error as Error).message}`, { field: 'record' });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ValidationError('record: expected a JSON object keyed by feature name', { field: 'record' });
  }
  return value as Record<string, unknown>;
}

/** --target-stores: OnlineStore, OfflineStore or both, comma-separated. */
export function parseTargetStores(text: string): TargetStore[] {
  const stores = text.split(',').map((s) => s.trim());
  const bad = stores.find((s) => s !== 'OnlineStore' && s !== 'OfflineStore');
  if (bad !== undefined) throw new ValidationError(`--target-stores: '${bad}' is not OnlineStore or OfflineStore`, { field: 'targetStores' });
  return stores as TargetStore[];
}

export function putCommand(globals: () => GlobalOptions): Command {
  return withExamples(new Command('put')
    .description('write a record (durable when the command returns)')
    .argument('<group>', 'feature group name')
    .argument('[record]', 'the record as a JSON object')
    .option('--file <file>', 'read the record from a JSON or YAML file instead')
    .option('--target-stores <stores>', 'OnlineStore, OfflineStore or both, comma-separated')
    .action(async (group: string, recordText: string | undefined, opts: { file?: string; targetStores?: string }) => {
      if (!recordText && !opts.file) throw new ValidationError('record: give the record as an argument or with --file', { field: 'record' });
      const record = opts.file ? ((await readDefinition(opts.file)) as Record<string, unknown>) : parseRecord(recordText!);
      await withStore(globals(), (store) =>
        store.featureGroup(group).putRecord(record, {
          ...(opts.targetStores ? { targetStores: parseTargetStores(opts.targetStores) } : {}),
        }),
      );
      if (globals().json) printJson({ written: true });
      else console.log('record written');
    }),
    `floe put users '{"user_id":"u1","event_time":"2025-01-01T00:00:00Z","age":31}'`,
    'floe put users --file record.yaml --target-stores OnlineStore',
  );
}

export function getCommand(globals: () => GlobalOptions): Command {
  return withExamples(new Command('get')
    .description('read the latest record of an identifier from the online store')
    .argument('<group>', 'feature group name')
    .argument('<id>', 'record identifier')
    .option('--features <names>', 'only these features, comma-separated')
    .action(async (group: string, id: string, opts: { features?: string }) => {
      const result = await withStore(globals(), (store) =>
        store.featureGroup(group).getRecord(id, {
          ...(opts.features ? { featureNames: opts.features.split(',').map((s) => s.trim()) } : {}),
          expirationTimeResponse: 'Enabled',
        }),
      );
      if (globals().json) return printJson(result ?? null);
      if (!result) {
        console.log(`no record '${id}' in ${group}`);
        process.exitCode = 1;
        return;
      }
      printTable(
        Object.entries(result.record).map(([feature, value]) => ({ feature, value })),
        ['feature', 'value'],
      );
      if (result.expiresAt) console.log(`\nexpires at ${result.expiresAt}`);
    }),
    'floe get users u1',
    'floe --json get users u1 --features age,score',
  );
}

export function deleteCommand(globals: () => GlobalOptions): Command {
  return withExamples(
    new Command('delete')
      .description('delete a record: soft (hidden online, a delete marker offline) or hard (removed online)')
      .argument('<group>', 'feature group name')
      .argument('<id>', 'record identifier')
      .option('--event-time <time>', 'the deletion\'s event time, ISO-8601 or epoch seconds (default: now); an older one than the record\'s does not delete it', )
      .option('--hard', 'hard delete: remove the record from the online store')
      .option('--target-stores <stores>', 'OnlineStore, OfflineStore or both, comma-separated')
      .action(async (group: string, id: string, opts: { eventTime?: string; hard?: boolean; targetStores?: string }) => {
        const eventTime = opts.eventTime === undefined ? new Date().toISOString() : /^\d+(\.\d+)?$/.test(opts.eventTime) ? Number(opts.eventTime) : opts.eventTime;
        await withStore(globals(), (store) =>
          store.featureGroup(group).deleteRecord(id, eventTime, {
            deletionMode: opts.hard ? 'HardDelete' : 'SoftDelete',
            ...(opts.targetStores ? { targetStores: parseTargetStores(opts.targetStores) } : {}),
          }),
        );
        if (globals().json) printJson({ deleted: id, eventTime, mode: opts.hard ? 'HardDelete' : 'SoftDelete' });
        else console.log(`${opts.hard ? 'hard' : 'soft'}-deleted ${id} from ${group} at ${eventTime}`);
      }),
    'floe delete users u1',
    'floe delete users u1 --event-time 2025-02-01T00:00:00Z --hard',
  );
}
