import type { FastifyReply, FastifyRequest } from 'fastify';

/**
 * Operations that change definitions, table state or access, or remove data: each one answered
 * (refused ones too) gets an `audit` line at info, naming who asked, what, on which groups, and
 * how it ended, so "who dropped this group?" has an answer without debug logging. Reads and
 * record writes are too many for it (their counts are in /metrics).
 */
export const AUDITED_OPERATIONS: ReadonlySet<string> = new Set([
  'CreateFeatureGroup',
  'UpdateFeatureGroup',
  'DeleteFeatureGroup',
  'UpdateFeatureMetadata',
  'DeleteRecords',
  'PurgeRecords',
  'ApplyRetention',
  'Optimize',
  'Vacuum',
  'SetTableProperties',
  'RunJob',
  'CreateToken',
  'Iceberg.CommitTable',
]);

/** Writes the audit line of a request whose operation is audited. */
export function auditRequest(request: FastifyRequest, reply: FastifyReply): void {
  if (!AUDITED_OPERATIONS.has(request.operation)) return;
  const principal = request.principal;
  request.log.info(
    {
      audit: true,
      operation: request.operation,
      reqId: request.id,
      // Unauthenticated attempts have no key: the line says so rather than leaving it out.
      accessKeyId: principal?.accessKeyId ?? null,
      role: principal?.role ?? null,
      featureGroups: request.featureGroups ?? [],
      status: reply.statusCode,
      outcome: reply.statusCode < 400 ? 'done' : 'refused',
    },
    'audit',
  );
}
