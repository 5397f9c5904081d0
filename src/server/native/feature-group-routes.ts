import type { FastifyInstance } from 'fastify';
import { toMicros, type CreateFeatureGroupInput, type UpdateFeatureGroupInput } from '../../domain/index.js';
import type { SearchRequest } from '../../control/index.js';
import type { ListFeatureGroupsQuery } from '../../registry/index.js';
import type { FeatureStore } from '../../sdk/index.js';
import { NATIVE_ROUTES as R } from '../../wire/index.js';
import { authorize, mayUseGroup } from '../auth/authorize.js';
import { defineRoute } from './route-kit.js';

/** Feature groups and feature metadata: create, describe, list, update, delete, search. */
export async function featureGroupRoutes(app: FastifyInstance, { store }: { store: FeatureStore }): Promise<void> {
  // The new group's name is in the body, where defineRoute's check of path groups does not see it:
  // an admin limited to some groups must not create one outside them.
  defineRoute(app, R.createFeatureGroup, async ({ body, principal }) => {
    const input = body as CreateFeatureGroupInput;
    authorize(principal, R.createFeatureGroup.operation, 'admin', [input.featureGroupName]);
    return store.createFeatureGroup(input);
  });

  defineRoute(app, R.listFeatureGroups, async ({ query, principal }) => {
    const { creationTimeAfter, creationTimeBefore, ...rest } = query;
    const list: ListFeatureGroupsQuery = { ...rest };
    if (creationTimeAfter !== undefined) list.creationTimeAfter = new Date(toMicros(creationTimeAfter, 'creationTimeAfter') / 1000);
    if (creationTimeBefore !== undefined) list.creationTimeBefore = new Date(toMicros(creationTimeBefore, 'creationTimeBefore') / 1000);
    const page = await store.listFeatureGroups(list);
    return { ...page, featureGroups: page.featureGroups.filter((g) => mayUseGroup(principal, g.featureGroupName)) };
  });

  defineRoute(app, R.describeFeatureGroup, async ({ params }) => store.describeFeatureGroup(params.featureGroupName));

  defineRoute(app, R.updateFeatureGroup, async ({ params, body }) =>
    store.updateFeatureGroup({ ...(body as Omit<UpdateFeatureGroupInput, 'featureGroupName'>), featureGroupName: params.featureGroupName }),
  );

  defineRoute(app, R.deleteFeatureGroup, async ({ params }) => {
    await store.deleteFeatureGroup(params.featureGroupName);
    return {};
  });

  defineRoute(app, R.describeFeatureMetadata, async ({ params }) => store.describeFeatureMetadata(params.featureGroupName, params.featureName));

  defineRoute(app, R.updateFeatureMetadata, async ({ params, body }) =>
    store.updateFeatureMetadata({ ...body, featureGroupName: params.featureGroupName, featureName: params.featureName }),
  );

  defineRoute(app, R.search, async ({ body, principal }) => {
    const response = await store.search(body as SearchRequest);
    const results = response.results.filter((r) => mayUseGroup(principal, 'featureGroup' in r ? r.featureGroup.featureGroupName : r.featureMetadata.featureGroupName));
    return { ...response, results };
  });
}
