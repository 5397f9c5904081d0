import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { parseOrThrow } from '../../domain/index.js';
import type { FeatureStore } from '../../sdk/index.js';
import type { ServerMetrics } from '../metrics/metrics.js';
import { fromWireRecord } from './record-values.js';
import { sagemakerRuntimePutRoutes } from './runtime-put-routes.js';
import { sagemakerRuntimeReadRoutes } from './runtime-read-routes.js';
import { groupOf, guard, list, restJson, single, targets, targetStoresSchema, ttl, ttlSchema } from './runtime-kit.js';
import { parseJsonBody } from './wire-json.js';

/**
 * The SageMaker Feature Store runtime (REST-JSON), exactly as
 * `@aws-sdk/client-sagemaker-featurestore-runtime` calls it. A translator: wire shapes in,
 * the SDK's record calls, wire shapes out. The reads and the puts have modules of their own
 * (runtime-read-routes.ts, runtime-put-routes.ts), which a server's workers register too.
 */
export interface RuntimeRoutesOptions {
  store: FeatureStore;
  metrics: ServerMetrics;
}

const updateSchema = z.object({
  RecordIdentifierValueAsString: z.string({ error: 'is required and must be a string' }),
  Features: z.unknown(),
  TargetStores: targetStoresSchema.optional(),
  TtlDuration: ttlSchema.optional(),
});
const listSchema = z.object({
  MaxResults: z.number({ error: 'must be a number' }).optional(),
  NextToken: z.string({ error: 'must be a string' }).optional(),
  IncludeSoftDeletedRecords: z.boolean({ error: 'must be true or false' }).optional(),
});

export async function sagemakerRuntimeRoutes(app: FastifyInstance, { store, metrics }: RuntimeRoutesOptions): Promise<void> {
  await app.register(sagemakerRuntimeReadRoutes, { reads: store, metrics });
  await app.register(sagemakerRuntimePutRoutes, { puts: store });

  app.delete('/FeatureGroup/:FeatureGroupName', restJson('DeleteRecord'), async (request, reply) => {
    const group = groupOf(request);
    guard(request, 'write', [group]);
    const query = request.query as Record<string, unknown>;
    const recordId = single(query, 'RecordIdentifierValueAsString', true);
    const eventTime = single(query, 'EventTime', true);
    const deletionMode = single(query, 'DeletionMode');
    await store.featureGroup(group).deleteRecord(recordId, eventTime, {
      ...targets(list(query, 'TargetStores')),
      ...(deletionMode ? { deletionMode: deletionMode as 'SoftDelete' | 'HardDelete' } : {}),
    });
    return reply.type('application/json').send('{}');
  });

  app.post('/FeatureGroup/:FeatureGroupName/Record', restJson('UpdateRecord'), async (request, reply) => {
    const group = groupOf(request);
    guard(request, 'write', [group]);
    const input = parseOrThrow(updateSchema, parseJsonBody(request.body));
    const features = fromWireRecord(input.Features, 'Features');
    await store.featureGroup(group).updateRecord(input.RecordIdentifierValueAsString, features, {
      ...targets(input.TargetStores),
      ...ttl(input.TtlDuration),
    });
    return reply.type('application/json').send('{}');
  });

  app.post('/FeatureGroup/:FeatureGroupName/ListRecords', restJson('ListRecords'), async (request, reply) => {
    const group = groupOf(request);
    guard(request, 'read', [group]);
    const input = parseOrThrow(listSchema, parseJsonBody(request.body));
    const page = await store.featureGroup(group).listRecords({
      ...(input.MaxResults === undefined ? {} : { maxResults: input.MaxResults }),
      ...(input.NextToken === undefined ? {} : { nextToken: input.NextToken }),
      ...(input.IncludeSoftDeletedRecords === undefined ? {} : { includeSoftDeletedRecords: input.IncludeSoftDeletedRecords }),
    });
    const body = page.nextToken ? { RecordIdentifiers: page.recordIdentifiers, NextToken: page.nextToken } : { RecordIdentifiers: page.recordIdentifiers };
    return reply.type('application/json').send(JSON.stringify(body));
  });
}
