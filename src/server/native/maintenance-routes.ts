import type { FastifyInstance } from 'fastify';
import type { FeatureStore } from '../../sdk/index.js';
import { NATIVE_ROUTES as R } from '../../wire/index.js';
import { authorize, mayUseGroup } from '../auth/authorize.js';
import { defineRoute } from './route-kit.js';

/** Table maintenance and its job runs (admin, but for reading properties and runs). */
export async function maintenanceRoutes(app: FastifyInstance, { store }: { store: FeatureStore }): Promise<void> {
  defineRoute(app, R.optimize, async ({ params, body }) => store.featureGroup(params.featureGroupName).optimize(body));
  defineRoute(app, R.vacuum, async ({ params, body }) => store.featureGroup(params.featureGroupName).vacuum(body));
  defineRoute(app, R.applyRetention, async ({ params, body }) => store.featureGroup(params.featureGroupName).applyRetention(body));
  defineRoute(app, R.purgeRecords, async ({ params, body }) => store.featureGroup(params.featureGroupName).purgeRecords(body.recordIdentifiers));
  defineRoute(app, R.tableProperties, async ({ params }) => ({ properties: await store.featureGroup(params.featureGroupName).tableProperties() }));
  defineRoute(app, R.setTableProperties, async ({ params, body }) => ({
    properties: await store.featureGroup(params.featureGroupName).setTableProperties(body),
  }));

  defineRoute(app, R.listJobs, async ({ query, principal }) => {
    if (query.featureGroupName !== undefined) authorize(principal, R.listJobs.operation, 'read', [query.featureGroupName]);
    const jobs = await store.listJobs(Object.fromEntries(Object.entries(query).filter(([, v]) => v !== undefined)));
    return { jobs: jobs.filter((j) => j.featureGroupName === undefined ? principal.featureGroups === undefined : mayUseGroup(principal, j.featureGroupName)) };
  });

  defineRoute(app, R.runJob, async ({ body, principal }) => {
    authorize(principal, R.runJob.operation, 'admin', [body.featureGroupName]);
    return store.runJob(body);
  });
}
