import type { FastifyInstance } from 'fastify';
import type { TtlDuration } from '../../domain/index.js';
import type { TargetStore } from '../../records/write-entry.js';
import type { FeatureStore } from '../../sdk/index.js';
import { NATIVE_ROUTES as R } from '../../wire/index.js';
import { authorize } from '../auth/authorize.js';
import type { ServerMetrics } from '../metrics/metrics.js';
import { defineRoute } from './route-kit.js';

/** Drops undefined options, so the store sees exactly what the caller gave (exactOptionalPropertyTypes). */
function defined<T extends Record<string, unknown>>(options: T): { [K in keyof T]: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) as never;
}

type WriteOptions = { targetStores?: string[] | undefined; ttlDuration?: TtlDuration | undefined };
const writeOptions = (o: WriteOptions) => defined({ targetStores: o.targetStores as TargetStore[] | undefined, ttlDuration: o.ttlDuration });

/** Records: put, get, update, delete, list, batch get and write, bulk delete, flush. */
export async function recordRoutes(app: FastifyInstance, { store, metrics }: { store: FeatureStore; metrics: ServerMetrics }): Promise<void> {
  defineRoute(app, R.putRecord, async ({ params, body }) => {
    await store.featureGroup(params.featureGroupName).putRecord(body.record, defined({ ...writeOptions(body), wait: body.wait }));
    return {};
  });

  defineRoute(app, R.getRecord, async ({ params, query }) => {
    const found = await store.featureGroup(params.featureGroupName).getRecord(params.recordId, defined({ featureNames: query.featureNames, expirationTimeResponse: 'Enabled' as const }));
    metrics.observeOnlineLookups(found ? 1 : 0, found ? 0 : 1);
    if (!found) return { record: null };
    return query.expirationTimeResponse === 'Enabled' && found.expiresAt !== undefined ? found : { record: found.record };
  });

  defineRoute(app, R.updateRecord, async ({ params, body }) => {
    await store.featureGroup(params.featureGroupName).updateRecord(params.recordId, body.features, writeOptions(body));
    return {};
  });

  defineRoute(app, R.deleteRecord, async ({ params, query }) => {
    await store
      .featureGroup(params.featureGroupName)
      .deleteRecord(params.recordId, query.eventTime, defined({ deletionMode: query.deletionMode, targetStores: query.targetStores as TargetStore[] | undefined }));
    return {};
  });

  defineRoute(app, R.listRecords, async ({ params, query }) => store.featureGroup(params.featureGroupName).listRecords(defined(query)));

  defineRoute(app, R.groupBatchGetRecord, async ({ params, body }) => ({
    records: await store.featureGroup(params.featureGroupName).batchGetRecord(body.recordIds, defined({ featureNames: body.featureNames })),
  }));

  defineRoute(app, R.deleteRecords, async ({ params, body }) =>
    store
      .featureGroup(params.featureGroupName)
      .deleteRecords(body.records, defined({ deletionMode: body.deletionMode, targetStores: body.targetStores as TargetStore[] | undefined })),
  );

  defineRoute(app, R.flush, async ({ params }) => {
    await store.featureGroup(params.featureGroupName).flush();
    return {};
  });

  defineRoute(app, R.batchGetRecord, async ({ body, principal }) => {
    authorize(principal, R.batchGetRecord.operation, 'read', body.identifiers.map((i) => i.featureGroupName));
    const result = await store.batchGetRecord(
      body.identifiers.map((i) => defined(i)),
      defined({ expirationTimeResponse: body.expirationTimeResponse }),
    );
    const asked = body.identifiers.reduce((n, i) => n + i.recordIdentifiers.length, 0);
    metrics.observeOnlineLookups(result.records.length, asked - result.records.length - result.errors.length);
    return result;
  });

  defineRoute(app, R.batchWriteRecord, async ({ body, principal }) => {
    authorize(principal, R.batchWriteRecord.operation, 'write', body.entries.map((e) => e.featureGroupName));
    const entries = body.entries.map((e) => defined({ featureGroupName: e.featureGroupName, record: e.record, ...writeOptions(e) }));
    const result = await store.batchWriteRecord(entries, defined({ ttlDuration: body.ttlDuration }));
    // Indexes let the remote SDK hand back the caller's own entry objects, as the in-process store does.
    return {
      errors: result.errors.map((e) => ({ ...e, index: entries.indexOf(e.entry as never) })),
      unprocessedEntries: result.unprocessedEntries.map((e) => ({ ...e, index: entries.indexOf(e as never) })),
    };
  });
}
