import type { FastifyInstance } from 'fastify';
import type { FeatureStore } from '../sdk/index.js';
import { createAppBase, type AppBaseOptions } from './app-base.js';
import { sagemakerControlPlaneRoutes } from './sagemaker/control-plane-routes.js';
import { sagemakerRuntimeRoutes } from './sagemaker/runtime-routes.js';
import { BearerTokens } from './auth/bearer-tokens.js';
import { nativeApi } from './native/index.js';
import { icebergCatalogApi } from './iceberg/index.js';
import { webUiRoutes } from './ui/web-ui-routes.js';

export { DEFAULT_BODY_LIMIT } from './app-base.js';

export interface AppOptions extends AppBaseOptions {
  store: FeatureStore;
  /** Bearer tokens of the native API (default: verified against the store's access keys). */
  tokens?: BearerTokens;
  /** Largest bulk-ingest body of the native API (default 1 GiB). */
  ingestBodyLimit?: number;
}

/**
 * The HTTP server of Floe as one fastify app: health and metrics, the SageMaker control plane
 * (AWS JSON 1.1) and the feature store runtime (REST-JSON), the native API, the Iceberg REST
 * catalog and the web UI, each a route module, all authenticated by one hook (the UI's static
 * files are public) and all errors shaped in one place. Not yet listening: call
 * `listen`, or drive it in-process with `inject`.
 */
export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const { app, metrics, isDraining } = createAppBase(options);

  app.get('/health', { config: { auth: 'none', operation: 'Health' } }, async (_request, reply) =>
    isDraining() ? reply.code(503).send({ status: 'draining' }) : reply.send({ status: 'ok' }),
  );
  app.get('/metrics', { config: { auth: 'none', operation: 'Metrics' } }, async (_request, reply) =>
    reply.type(metrics.contentType).send(await metrics.render()),
  );
  await app.register(sagemakerControlPlaneRoutes, { store: options.store });
  await app.register(sagemakerRuntimeRoutes, { store: options.store, metrics });
  const tokens = options.tokens ?? new BearerTokens({ keys: options.store.accessKeys });
  await app.register(nativeApi, {
    store: options.store,
    sigv4: options.authenticator,
    tokens,
    metrics,
    ...(options.ingestBodyLimit === undefined ? {} : { ingestBodyLimit: options.ingestBodyLimit }),
  });
  await app.register(icebergCatalogApi, { store: options.store, sigv4: options.authenticator, tokens });
  await app.register(webUiRoutes);
  return app;
}
