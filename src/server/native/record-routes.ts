import type { FastifyInstance } from 'fastify';
import type { TtlDuration } from '../../domain/index.js';
import type { TargetStore } from '../../records/write-entry.js';
import type { FeatureStore } from '../../sdk/index.js';
import { NATIVE_ROUTES as R } from '../../wire/index.js';
import { authorize } from '../auth/authorize.js';
import type { ServerMetrics } from '../metrics/metrics.js';
import { defined, defineRoute } from './route-kit.js';
import { recordReadRoutes } from './record-read-routes.js';

type WriteOptions = { targetStores?: string[] | undefined; ttlDuration?: TtlDuration | undefined };
const writeOptions = (o: WriteOptions) => defined({ targetStores: o.targetStores as TargetStore[] | undefined, ttlDuration: o.ttlDuration });

/** Records: put, update, delete, list, batch write, bulk delete, flush, and the reads of record-read-routes.ts. */
export async function recordRoutes(app: FastifyInstance, { store, metrics }: { store: FeatureStore; metrics: ServerMetrics }): Promise<void> {
  await app.register(recordReadRoutes, { reads: store, metrics });

  defineRoute(app, R.putRecord, async ({ params, body }) => {
    await store.featureGroup(params.featureGroupName).putRecord(body.record, defined({ ...writeOptions(body), wait: body.wait }));
    return {};
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

  defineRoute(app, R.deleteRecords, async ({ params, body }) =>
    store
      .featureGroup(params.featureGroupName)
      .deleteRecords(body.records, defined({ deletionMode: body.deletionMode, targetStores: body.targetStores as TargetStore[] | undefined })),
  );

  defineRoute(app, R.flush, async ({ params }) => {
    await store.featureGroup(params.featureGroupName).flush();
    return {};
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
