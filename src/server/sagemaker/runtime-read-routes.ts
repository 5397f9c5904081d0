import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { parseOrThrow } from '../../domain/index.js';
import type { RecordReadApi } from '../../sdk/index.js';
import type { ServerMetrics } from '../metrics/metrics.js';
import { wireRecordJson } from './record-values.js';
import { groupOf, guard, list, restJson, single } from './runtime-kit.js';
import { parseJsonBody } from './wire-json.js';

/**
 * The runtime's online reads, GetRecord and BatchGetRecord: registered by the server that owns
 * the store and by its workers (`floe serve --workers`), which answer them themselves.
 */
export interface RuntimeReadRoutesOptions {
  reads: RecordReadApi;
  metrics: ServerMetrics;
}

export const BATCH_GET_LIMITS = { identifiers: 100, recordsPerIdentifier: 100 } as const;

const expirationSchema = z.enum(['Enabled', 'Disabled'], { error: 'must be Enabled or Disabled' });
const optionalExpirationSchema = expirationSchema.optional();

const batchGetSchema = z.object({
  Identifiers: z
    .array(
      z.object({
        FeatureGroupName: z.string({ error: 'is required and must be a string' }).min(1, 'must not be empty'),
        RecordIdentifiersValueAsString: z
          .array(z.string({ error: 'must be a string' }), { error: 'is required and must be a list' })
          .min(1, 'must hold at least one identifier')
          .max(BATCH_GET_LIMITS.recordsPerIdentifier, `must hold at most ${BATCH_GET_LIMITS.recordsPerIdentifier} identifiers`),
        FeatureNames: z.array(z.string({ error: 'must be a string' }), { error: 'must be a list' }).optional(),
      }),
      { error: 'is required and must be a list' },
    )
    .min(1, 'must hold at least one entry')
    .max(BATCH_GET_LIMITS.identifiers, `must hold at most ${BATCH_GET_LIMITS.identifiers} entries`),
  ExpirationTimeResponse: expirationSchema.optional(),
});

export async function sagemakerRuntimeReadRoutes(app: FastifyInstance, { reads, metrics }: RuntimeReadRoutesOptions): Promise<void> {
  app.get('/FeatureGroup/:FeatureGroupName', restJson('GetRecord'), async (request, reply) => {
    const group = groupOf(request);
    guard(request, 'read', [group]);
    const query = request.query as Record<string, unknown>;
    const recordId = single(query, 'RecordIdentifierValueAsString', true);
    const featureNames = list(query, 'FeatureName');
    const expiration = parseOrThrow(optionalExpirationSchema, single(query, 'ExpirationTimeResponse'), 'ExpirationTimeResponse');
    const found = await reads.featureGroup(group).getRecord(recordId, {
      ...(featureNames ? { featureNames } : {}),
      expirationTimeResponse: 'Enabled',
    });
    metrics.observeOnlineLookups(found ? 1 : 0, found ? 0 : 1);
    if (!found) return reply.type('application/json').send('{}');
    const expiresAt = expiration === 'Enabled' && found.expiresAt !== undefined ? `,"ExpiresAt":${JSON.stringify(found.expiresAt)}` : '';
    return reply.type('application/json').send(`{"Record":${wireRecordJson(found.record)}${expiresAt}}`);
  });

  app.post('/BatchGetRecord', restJson('BatchGetRecord'), async (request, reply) => {
    const input = parseOrThrow(batchGetSchema, parseJsonBody(request.body));
    guard(request, 'read', input.Identifiers.map((i) => i.FeatureGroupName));
    const result = await reads.batchGetRecord(
      input.Identifiers.map((i) => ({
        featureGroupName: i.FeatureGroupName,
        recordIdentifiers: i.RecordIdentifiersValueAsString,
        ...(i.FeatureNames ? { featureNames: i.FeatureNames } : {}),
      })),
      input.ExpirationTimeResponse ? { expirationTimeResponse: input.ExpirationTimeResponse } : {},
    );
    const asked = input.Identifiers.reduce((n, i) => n + i.RecordIdentifiersValueAsString.length, 0);
    metrics.observeOnlineLookups(result.records.length, asked - result.records.length - result.errors.length);
    // Records are written as JSON text directly (up to 10,000 of them); the rest is small.
    const records = result.records.map(
      (r) =>
        `{"FeatureGroupName":${JSON.stringify(r.featureGroupName)},"RecordIdentifierValueAsString":${JSON.stringify(r.recordIdentifier)},"Record":${wireRecordJson(r.record)}${
          r.expiresAt === undefined ? '' : `,"ExpiresAt":${JSON.stringify(r.expiresAt)}`
        }}`,
    );
    const rest = {
      Errors: result.errors.map((e) => ({
        FeatureGroupName: e.featureGroupName,
        RecordIdentifierValueAsString: e.recordIdentifier,
        ErrorCode: e.errorCode,
        ErrorMessage: e.errorMessage,
      })),
      UnprocessedIdentifiers: result.unprocessedIdentifiers.map((u) => ({
        FeatureGroupName: u.featureGroupName,
        RecordIdentifiersValueAsString: u.recordIdentifiers.map(String),
        ...(u.featureNames ? { FeatureNames: u.featureNames } : {}),
      })),
    };
    return reply.type('application/json').send(`{"Records":[${records.join(',')}],${JSON.stringify(rest).slice(1)}`);
  });
}
