import type { FastifyInstance } from 'fastify';
import type { TargetStore } from '../../records/write-entry.js';
import type { FeatureStore } from '../../sdk/index.js';
import { NATIVE_ROUTES as R } from '../../wire/index.js';
import type { ServerMetrics } from '../metrics/metrics.js';
import { defined, defineRoute, writeOptions } from './route-kit.js';
import { recordPutRoutes } from './record-put-routes.js';
import { recordReadRoutes } from './record-read-routes.js';

/** Records: update, delete, list, bulk delete, flush; the reads and puts are in record-read-routes.ts and record-put-routes.ts. */
export async function recordRoutes(app: FastifyInstance, { store, metrics }: { store: FeatureStore; metrics: ServerMetrics }): Promise<void> {
  await app.register(recordReadRoutes, { reads: store, metrics });
  await app.register(recordPutRoutes, { puts: store });

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
}
