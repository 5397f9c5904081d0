import type { FastifyInstance } from 'fastify';
import type { RecordPutApi } from '../../sdk/index.js';
import { NATIVE_ROUTES as R } from '../../wire/index.js';
import { authorize } from '../auth/authorize.js';
import { defined, defineRoute, writeOptions } from './route-kit.js';

/**
 * Puts: one record, and a batch across groups. Registered by the server that owns the store and
 * by its workers (`floe serve --workers`), which validate them and hand them to the owner's write path.
 */
export async function recordPutRoutes(app: FastifyInstance, { puts }: { puts: RecordPutApi }): Promise<void> {
  defineRoute(app, R.putRecord, async ({ params, body }) => {
    await puts.featureGroup(params.featureGroupName).putRecord(body.record, defined({ ...writeOptions(body), wait: body.wait }));
    return {};
  });

  defineRoute(app, R.batchWriteRecord, async ({ body, principal }) => {
    authorize(principal, R.batchWriteRecord.operation, 'write', body.entries.map((e) => e.featureGroupName));
    const entries = body.entries.map((e) => defined({ featureGroupName: e.featureGroupName, record: e.record, ...writeOptions(e) }));
    const result = await puts.batchWriteRecord(entries, defined({ ttlDuration: body.ttlDuration }));
    // Indexes let the remote SDK hand back the caller's own entry objects, as the in-process store does.
    return {
      errors: result.errors.map((e) => ({ ...e, index: entries.indexOf(e.entry as never) })),
      unprocessedEntries: result.unprocessedEntries.map((e) => ({ ...e, index: entries.indexOf(e as never) })),
    };
  });
}
