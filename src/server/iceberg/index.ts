import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { NotFoundError, ValidationError } from '../../domain/index.js';
import { parseTableCommit } from '../../offline/iceberg/table-commit-request.js';
import { stringifyTableMetadata, type TableMetadata } from '../../offline/iceberg/table-metadata.js';
import type { CatalogTable, FeatureStore } from '../../sdk/index.js';
import { parseWire } from '../../wire/index.js';
import type { Authenticator } from '../auth/authenticator.js';
import { authorize, mayUseGroup, type Permission } from '../auth/authorize.js';
import type { BearerTokens } from '../auth/bearer-tokens.js';
import { nativeAuthentication } from '../native/index.js';
import { CatalogUnsupportedError, toIcebergError } from './catalog-errors.js';
import { oauthTokenRoute } from './oauth-token-route.js';

export interface IcebergCatalogOptions {
  store: FeatureStore;
  sigv4: Authenticator;
  tokens: BearerTokens;
}

/** Floe's tables live in one namespace: feature group names are unique across the store. */
export const ICEBERG_NAMESPACE = 'default';

const JSON_TYPE = 'application/json';

/** The endpoints this catalog serves, as `GET /v1/config` announces them to clients. */
const ENDPOINTS = [
  'GET /v1/namespaces',
  'GET /v1/namespaces/{namespace}',
  'HEAD /v1/namespaces/{namespace}',
  'GET /v1/namespaces/{namespace}/tables',
  'GET /v1/namespaces/{namespace}/tables/{table}',
  'HEAD /v1/namespaces/{namespace}/tables/{table}',
  'POST /v1/namespaces/{namespace}/tables/{table}',
];

type Params = { namespace?: string; table?: string };

function checkNamespace(encoded: string | undefined): void {
  // Multi-level namespaces arrive joined by the unit separator; Floe has one level, one namespace.
  const parts = (encoded ?? '').split('\u001f');
  if (parts.length !== 1 || parts[0] !== ICEBERG_NAMESPACE) {
    throw new NotFoundError(`namespace '${parts.join('.')}' does not exist: Floe's tables are all in '${ICEBERG_NAMESPACE}'`, { field: 'namespace' });
  }
}

const loadResult = (t: CatalogTable, snapshots: string | undefined): string => {
  let metadata: TableMetadata = t.metadata;
  if (snapshots === 'refs') {
    const referenced = new Set(Object.values(metadata.refs).map((r) => r['snapshot-id']));
    metadata = { ...metadata, snapshots: metadata.snapshots.filter((s) => referenced.has(s['snapshot-id'])) };
  }
  // The metadata keeps its 64-bit ids exact: it is written by the table's own lossless writer.
  return `{"metadata-location":${JSON.stringify(t.metadataLocation)},"metadata":${stringifyTableMetadata(metadata)},"config":{}}`;
};

const unsupported = (what: string) => async () => {
  throw new CatalogUnsupportedError(what);
};

/**
 * The Iceberg REST catalog API under `/iceberg/v1`, over the feature groups' offline tables, so
 * that Spark, Trino, pyiceberg or DuckDB read them with Floe as their catalog. Authenticated like
 * the native API (a bearer token, also minted by the OAuth2 client-credentials endpoint, or
 * SigV4); reading needs the reader role and the group, committing (table properties) the admin
 * role. Creating, dropping and renaming tables is the feature groups' business, so those answer
 * 406 with what to call instead. Errors follow the catalog's ErrorModel.
 */
export async function icebergCatalogApi(app: FastifyInstance, options: IcebergCatalogOptions): Promise<void> {
  const catalog = options.store.icebergCatalog;
  await app.register(
    async (v1) => {
      v1.setErrorHandler(async (error, request, reply) => {
        const mapped = toIcebergError(error);
        if (mapped.fault) request.log.error({ err: error, operation: request.operation, reqId: request.id }, 'request failed');
        if (mapped.status === 401) reply.header('www-authenticate', 'Bearer realm="floe"');
        // HEAD answers carry no body, only the status.
        return request.method === 'HEAD' ? reply.code(mapped.status).send() : reply.code(mapped.status).type(JSON_TYPE).send(JSON.stringify(mapped.body));
      });
      await v1.register(oauthTokenRoute, { tokens: options.tokens });

      await v1.register(async (authed) => {
        authed.addHook('preHandler', nativeAuthentication(options));
        const route = (
          method: 'GET' | 'POST' | 'DELETE',
          url: string,
          operation: string,
          handler: (request: FastifyRequest<{ Params: Params; Querystring: Record<string, string> }>, reply: FastifyReply) => Promise<unknown>,
        ) => authed.route({ method, url, config: { auth: 'native', operation: `Iceberg.${operation}` }, handler });
        const allow = (request: FastifyRequest, operation: string, permission: Permission, table?: string) =>
          authorize(request.principal!, `Iceberg.${operation}`, permission, table === undefined ? [] : [table]);

        route('GET', '/config', 'GetConfig', async (request, reply) => {
          allow(request, 'GetConfig', 'read');
          return reply.type(JSON_TYPE).send(JSON.stringify({ defaults: {}, overrides: {}, endpoints: ENDPOINTS }));
        });
        route('GET', '/namespaces', 'ListNamespaces', async (request, reply) => {
          allow(request, 'ListNamespaces', 'read');
          // Children of a namespace: Floe's one namespace has none.
          const namespaces = request.query.parent === undefined ? [[ICEBERG_NAMESPACE]] : [];
          return reply.type(JSON_TYPE).send(JSON.stringify({ namespaces }));
        });
        const namespace = async (request: FastifyRequest<{ Params: Params }>, reply: FastifyReply) => {
          allow(request, 'LoadNamespace', 'read');
          checkNamespace(request.params.namespace);
          if (request.method === 'HEAD') return reply.code(204).send();
          return reply.type(JSON_TYPE).send(JSON.stringify({ namespace: [ICEBERG_NAMESPACE], properties: {} }));
        };
        // fastify answers HEAD with the GET route (the handler sees the method): existence checks.
        route('GET', '/namespaces/:namespace', 'LoadNamespace', namespace);

        route('GET', '/namespaces/:namespace/tables', 'ListTables', async (request, reply) => {
          allow(request, 'ListTables', 'read');
          checkNamespace(request.params.namespace);
          const names = (await catalog.tableNames()).filter((name) => mayUseGroup(request.principal!, name));
          const { pageToken, pageSize } = request.query;
          const start = pageToken ? Number(pageToken) : 0;
          const size = pageSize === undefined ? names.length : Number(pageSize);
          if (!Number.isSafeInteger(start) || start < 0) throw new ValidationError(`pageToken: '${pageToken}' is not a token this catalog gave out`, { field: 'pageToken' });
          if (!Number.isSafeInteger(size) || size < 1) throw new ValidationError(`pageSize: expected a positive integer, got '${pageSize}'`, { field: 'pageSize' });
          const page = names.slice(start, start + size);
          const next = start + size < names.length ? { 'next-page-token': String(start + size) } : {};
          return reply.type(JSON_TYPE).send(JSON.stringify({ identifiers: page.map((name) => ({ namespace: [ICEBERG_NAMESPACE], name })), ...next }));
        });
        const table = async (request: FastifyRequest<{ Params: Params; Querystring: Record<string, string> }>, reply: FastifyReply) => {
          checkNamespace(request.params.namespace);
          const name = request.params.table!;
          allow(request, 'LoadTable', 'read', name);
          const loaded = await catalog.loadTable(name);
          if (request.method === 'HEAD') return reply.code(204).send();
          return reply.type(JSON_TYPE).send(loadResult(loaded, request.query.snapshots));
        };
        route('GET', '/namespaces/:namespace/tables/:table', 'LoadTable', table);
        route('POST', '/namespaces/:namespace/tables/:table', 'CommitTable', async (request, reply) => {
          checkNamespace(request.params.namespace);
          const name = request.params.table!;
          request.featureGroups = [name];
          allow(request, 'CommitTable', 'admin', name);
          const body = request.body;
          let parsed: unknown;
          try {
            parsed = parseWire(Buffer.isBuffer(body) ? body.toString('utf8') : '');
          } catch (error) {
            throw new ValidationError(`body: not valid JSON (${(error as Error).message})`, { field: 'body' });
          }
          const { requirements, changes } = parseTableCommit(parsed);
          const committed = await catalog.commitTable(name, requirements, changes);
          return reply.type(JSON_TYPE).send(loadResult(committed, undefined));
        });

        route('POST', '/namespaces', 'CreateNamespace', unsupported(`namespaces are fixed: every feature group's table is in '${ICEBERG_NAMESPACE}'`));
        route('DELETE', '/namespaces/:namespace', 'DropNamespace', unsupported(`namespaces are fixed: every feature group's table is in '${ICEBERG_NAMESPACE}'`));
        route('POST', '/namespaces/:namespace/properties', 'UpdateNamespaceProperties', unsupported('the namespace has no properties of its own'));
        route('POST', '/namespaces/:namespace/tables', 'CreateTable', unsupported('a table is made by creating a feature group (CreateFeatureGroup, floe feature-group create)'));
        route('POST', '/namespaces/:namespace/register', 'RegisterTable', unsupported('a table is made by creating a feature group (CreateFeatureGroup, floe feature-group create)'));
        route('DELETE', '/namespaces/:namespace/tables/:table', 'DropTable', unsupported('a table is dropped with its feature group (DeleteFeatureGroup)'));
        route('POST', '/tables/rename', 'RenameTable', unsupported('a feature group, and so its table, cannot be renamed'));
        route('POST', '/transactions/commit', 'CommitTransaction', unsupported('multi-table transactions are not offered; commit each table'));
        // A catch-all route rather than a not-found handler, so unknown routes are authenticated like the others.
        authed.all('/*', { config: { auth: 'native', operation: 'Iceberg.Unmatched' } }, async (request) => {
          throw new NotFoundError(`${request.method} ${request.url.split('?')[0]}: no such route of the Iceberg REST catalog`, { field: 'path' });
        });
      });
    },
    { prefix: '/iceberg/v1' },
  );
}
