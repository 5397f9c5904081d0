import type { FastifyInstance } from 'fastify';
import type { RecordReadApi } from '../../sdk/index.js';
import { NATIVE_ROUTES as R } from '../../wire/index.js';
import { authorize } from '../auth/authorize.js';
import type { ServerMetrics } from '../metrics/metrics.js';
import { defined, defineRoute } from './route-kit.js';

/**
 * Online reads: get, batch get within a group and across groups. Registered by the server that
 * owns the store and by its workers (`floe serve --workers`), which answer them themselves.
 */
export async function recordReadRoutes(app: FastifyInstance, { reads, metrics }: { reads: RecordReadApi; metrics: ServerMetrics }): Promise<void> {
  defineRoute(app, R.getRecord, async ({ params, query }) => {
    const found = await reads.featureGroup(params.featureGroupName).getRecord(params.recordId, defined({ featureNames: query.featureNames, expirationTimeResponse: 'Enabled' as const }));
    metrics.observeOnlineLookups(found ? 1 : 0, found ? 0 : 1);
    if (!found) return { record: null };
    return query.expirationTimeResponse === 'Enabled' && found.expiresAt !== undefined ? found : { record: found.record };
  });

  defineRoute(app, R.groupBatchGetRecord, async ({ params, body }) => ({
    records: await reads.featureGroup(params.featureGroupName).batchGetRecord(body.recordIds, defined({ featureNames: body.featureNames })),
  }));

  defineRoute(app, R.batchGetRecord, async ({ body, principal }) => {
    authorize(principal, R.batchGetRecord.operation, 'read', body.identifiers.map((i) => i.featureGroupName));
    const result = await reads.batchGetRecord(
      body.identifiers.map((i) => defined(i)),
      defined({ expirationTimeResponse: body.expirationTimeResponse }),
    );
    const asked = body.identifiers.reduce((n, i) => n + i.recordIdentifiers.length, 0);
    metrics.observeOnlineLookups(result.records.length, asked - result.records.length - result.errors.length);
    return result;
  });
}
