import type { FastifyInstance } from 'fastify';
import { AccessDeniedError } from '../../domain/index.js';
import { DEFAULT_TOKEN_LIFETIME_SECONDS, NATIVE_ROUTES as R } from '../../wire/index.js';
import type { BearerTokens } from '../auth/bearer-tokens.js';
import { defineRoute } from './route-kit.js';

/** `POST /v1/tokens`: a bearer token for the key that signed the request; `GET /v1/whoami`: who that key is. */
export async function tokenRoutes(app: FastifyInstance, { tokens }: { tokens: BearerTokens }): Promise<void> {
  defineRoute(app, R.createToken, async ({ body, principal, request }) => {
    // A token may not mint tokens, or a leaked one could be kept alive forever.
    if (/^bearer /i.test(request.headers.authorization ?? '')) {
      throw new AccessDeniedError('Authorization: mint tokens with the access key itself (SigV4), not with a bearer token', { field: 'Authorization' });
    }
    const { token, expiresAt } = await tokens.issue(principal.accessKeyId, body.expiresInSeconds ?? DEFAULT_TOKEN_LIFETIME_SECONDS);
    return {
      token,
      tokenType: 'Bearer',
      expiresAt,
      accessKeyId: principal.accessKeyId,
      role: principal.role,
      ...(principal.featureGroups ? { featureGroups: principal.featureGroups } : {}),
    };
  });
  defineRoute(app, R.whoami, async ({ principal }) => ({
    accessKeyId: principal.accessKeyId,
    role: principal.role,
    ...(principal.featureGroups ? { featureGroups: principal.featureGroups } : {}),
  }));
}
