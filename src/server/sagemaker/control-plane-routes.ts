import type { FastifyInstance, FastifyRequest } from 'fastify';
import {
  featureGroupNameFromArn,
  ValidationError,
  type CreateFeatureGroupInput,
  type FeatureDefinition,
  type TtlDuration,
  type UpdateFeatureGroupInput,
  type UpdateFeatureMetadataInput,
} from '../../domain/index.js';
import type { SearchExpression, SearchRequest } from '../../control/index.js';
import type { ListFeatureGroupsQuery } from '../../registry/index.js';
import type { FeatureStore } from '../../sdk/index.js';
import { authorize, mayUseGroup, type Permission } from '../auth/authorize.js';
import type { Principal } from '../auth/principal.js';
import { UnknownOperationError } from '../errors/unknown-operation-error.js';
import {
  featureGroupShape,
  featureGroupSummaryShape,
  featureMetadataShape,
  fromWireCreateRequest,
  fromWireFeatureDefinitions,
  fromWireKeyValues,
  fromWireTime,
  fromWireTtl,
} from './control-plane-shapes.js';
import { parseJsonBody } from './wire-json.js';

/**
 * The SageMaker control plane for feature groups: AWS JSON 1.1 at `POST /` with
 * `X-Amz-Target: SageMaker.<Operation>`, as `@aws-sdk/client-sagemaker` calls it.
 */
type Wire = Record<string, unknown>;

interface ControlOperation {
  permission: Permission;
  /** The feature groups the call names, for keys limited to some. */
  groups(input: Wire): string[];
  run(store: FeatureStore, input: Wire, principal: Principal): Promise<Wire>;
}

/** A group name as given (name or ARN) reduced to the name; anything else left for the SDK to refuse. */
function groupName(value: unknown): string {
  return typeof value === 'string' ? featureGroupNameFromArn(value) : (value as string);
}

const named = (input: Wire) => (typeof input.FeatureGroupName === 'string' ? [input.FeatureGroupName] : []);

export const CONTROL_OPERATIONS: Record<string, ControlOperation> = {
  CreateFeatureGroup: {
    permission: 'admin',
    groups: named,
    async run(store, input) {
      const group = await store.createFeatureGroup(fromWireCreateRequest(input) as CreateFeatureGroupInput);
      return { FeatureGroupArn: group.featureGroupArn };
    },
  },
  DescribeFeatureGroup: {
    permission: 'read',
    groups: named,
    async run(store, input) {
      return featureGroupShape(await store.describeFeatureGroup(groupName(input.FeatureGroupName)));
    },
  },
  UpdateFeatureGroup: {
    permission: 'admin',
    groups: named,
    async run(store, input) {
      const name = groupName(input.FeatureGroupName);
      const online = input.OnlineStoreConfig as Wire | undefined;
      if (online?.StorageType !== undefined) {
        const current = await store.describeFeatureGroup(name);
        if (online.StorageType !== current.onlineStoreConfig.storageType) {
          throw new ValidationError('OnlineStoreConfig.StorageType: the online storage type cannot be changed', { field: 'OnlineStoreConfig.StorageType' });
        }
      }
      const request: UpdateFeatureGroupInput = { featureGroupName: name };
      if (input.FeatureAdditions !== undefined) request.featureAdditions = fromWireFeatureDefinitions(input.FeatureAdditions) as FeatureDefinition[];
      if (online?.TtlDuration !== undefined) request.onlineStoreConfig = { ttlDuration: fromWireTtl(online.TtlDuration) as TtlDuration };
      const updated = await store.updateFeatureGroup(request);
      return { FeatureGroupArn: updated.featureGroupArn };
    },
  },
  DeleteFeatureGroup: {
    permission: 'admin',
    groups: named,
    async run(store, input) {
      await store.deleteFeatureGroup(groupName(input.FeatureGroupName));
      return {};
    },
  },
  ListFeatureGroups: {
    permission: 'read',
    groups: () => [],
    async run(store, input, principal) {
      const query: ListFeatureGroupsQuery = {};
      const after = fromWireTime(input.CreationTimeAfter, 'CreationTimeAfter');
      const before = fromWireTime(input.CreationTimeBefore, 'CreationTimeBefore');
      if (input.NameContains !== undefined) query.nameContains = input.NameContains as string;
      if (input.FeatureGroupStatusEquals !== undefined) query.featureGroupStatusEquals = input.FeatureGroupStatusEquals as never;
      if (after) query.creationTimeAfter = after;
      if (before) query.creationTimeBefore = before;
      if (input.SortBy !== undefined) query.sortBy = input.SortBy as never;
      if (input.SortOrder !== undefined) query.sortOrder = input.SortOrder as never;
      if (input.MaxResults !== undefined) query.maxResults = input.MaxResults as number;
      if (input.NextToken !== undefined) query.nextToken = input.NextToken as string;
      const offlineStatus = input.OfflineStoreStatusEquals;
      if (offlineStatus !== undefined && offlineStatus !== 'Active' && offlineStatus !== 'Blocked' && offlineStatus !== 'Disabled') {
        throw new ValidationError('OfflineStoreStatusEquals: must be Active, Blocked or Disabled', { field: 'OfflineStoreStatusEquals' });
      }
      const page = await store.listFeatureGroups(query);
      // Every offline store of Floe is Active: none is ever Blocked, and groups without one have no status.
      const groups = page.featureGroups.filter(
        (g) => mayUseGroup(principal, g.featureGroupName) && (offlineStatus === undefined || (offlineStatus === 'Active' && g.offlineStoreConfig.enableOfflineStore)),
      );
      return { FeatureGroupSummaries: groups.map(featureGroupSummaryShape), ...(page.nextToken ? { NextToken: page.nextToken } : {}) };
    },
  },
  DescribeFeatureMetadata: {
    permission: 'read',
    groups: named,
    async run(store, input) {
      return featureMetadataShape(await store.describeFeatureMetadata(groupName(input.FeatureGroupName), input.FeatureName as string));
    },
  },
  UpdateFeatureMetadata: {
    permission: 'admin',
    groups: named,
    async run(store, input) {
      await store.updateFeatureMetadata({
        featureGroupName: groupName(input.FeatureGroupName),
        featureName: input.FeatureName,
        ...(input.Description === undefined ? {} : { description: input.Description }),
        ...(input.ParameterAdditions === undefined ? {} : { parameterAdditions: fromWireKeyValues(input.ParameterAdditions) }),
        ...(input.ParameterRemovals === undefined ? {} : { parameterRemovals: input.ParameterRemovals }),
      } as UpdateFeatureMetadataInput);
      return {};
    },
  },
  Search: {
    permission: 'read',
    groups: () => [],
    async run(store, input, principal) {
      const request = {
        resource: input.Resource,
        ...(input.SearchExpression === undefined ? {} : { searchExpression: fromWireExpression(input.SearchExpression, 'SearchExpression') }),
        ...(input.SortBy === undefined ? {} : { sortBy: input.SortBy }),
        ...(input.SortOrder === undefined ? {} : { sortOrder: input.SortOrder }),
        ...(input.MaxResults === undefined ? {} : { maxResults: input.MaxResults }),
        ...(input.NextToken === undefined ? {} : { nextToken: input.NextToken }),
      } as SearchRequest;
      const response = await store.search(request);
      const results = response.results.flatMap((r): Wire[] => {
        if ('featureGroup' in r) return mayUseGroup(principal, r.featureGroup.featureGroupName) ? [{ FeatureGroup: featureGroupShape(r.featureGroup, { tags: true }) }] : [];
        return mayUseGroup(principal, r.featureMetadata.featureGroupName) ? [{ FeatureMetadata: featureMetadataShape(r.featureMetadata) }] : [];
      });
      return { Results: results, ...(response.nextToken ? { NextToken: response.nextToken } : {}) };
    },
  },
};

function fromWireExpression(value: unknown, field: string): SearchExpression {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ValidationError(`${field}: must be an object`, { field });
  const wire = value as Wire;
  if (wire.NestedFilters !== undefined) {
    throw new ValidationError(`${field}.NestedFilters: not supported for FeatureGroup and FeatureMetadata searches; use Filters`, { field: `${field}.NestedFilters` });
  }
  const list = (v: unknown, name: string): unknown[] | undefined => {
    if (v === undefined) return undefined;
    if (!Array.isArray(v)) throw new ValidationError(`${field}.${name}: must be a list`, { field: `${field}.${name}` });
    return v;
  };
  const filters = list(wire.Filters, 'Filters');
  const subs = list(wire.SubExpressions, 'SubExpressions');
  return {
    ...(filters ? { filters: filters.map((f) => { const w = (f ?? {}) as Wire; return { name: w.Name, operator: w.Operator, value: w.Value }; }) } : {}),
    ...(subs ? { subExpressions: subs.map((s, i) => fromWireExpression(s, `${field}.SubExpressions[${i}]`)) } : {}),
    ...(wire.Operator === undefined ? {} : { operator: wire.Operator }),
  } as SearchExpression;
}

const TARGET_PREFIX = 'SageMaker.';

/** The operation an `X-Amz-Target` names, if it is one this API offers (metrics use it as a label). */
export function controlOperationName(target: unknown): string | undefined {
  if (typeof target !== 'string' || !target.startsWith(TARGET_PREFIX)) return undefined;
  const name = target.slice(TARGET_PREFIX.length);
  return Object.hasOwn(CONTROL_OPERATIONS, name) ? name : undefined;
}

export async function sagemakerControlPlaneRoutes(app: FastifyInstance, { store }: { store: FeatureStore }): Promise<void> {
  app.post(
    '/',
    {
      config: { protocol: 'json-1.1' },
      onRequest: async (request: FastifyRequest) => {
        request.operation = controlOperationName(request.headers['x-amz-target']) ?? 'UnknownOperation';
      },
    },
    async (request, reply) => {
      const target = request.headers['x-amz-target'];
      const name = controlOperationName(target);
      if (name === undefined) {
        const given = typeof target === 'string' && target !== '' ? `'${target}'` : 'no X-Amz-Target';
        throw new UnknownOperationError(`X-Amz-Target: ${given} is not an operation of this API`, { field: 'X-Amz-Target' });
      }
      const operation = CONTROL_OPERATIONS[name]!;
      const input = parseJsonBody(request.body);
      request.featureGroups = operation.groups(input);
      authorize(request.principal!, name, operation.permission, request.featureGroups);
      const output = await operation.run(store, input, request.principal!);
      return reply.type('application/x-amz-json-1.1').send(JSON.stringify(output));
    },
  );
}
