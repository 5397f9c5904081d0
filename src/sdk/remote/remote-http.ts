import { InternalError, ValidationError } from '../../domain/index.js';
import { deriveBearerToken, fromWireError, JSON_TYPE, parseWire, routePath, stringifyWire, type NativeRoute } from '../../wire/index.js';

/** How a remote store proves who it is: an access key (tokens are derived from it locally), or a token minted elsewhere. */
export type RemoteCredentials = { accessKeyId: string; secretAccessKey: string } | { token: string };

export interface ConnectOptions {
  /** The server, e.g. `http://127.0.0.1:8080`. */
  endpoint: string;
  credentials: RemoteCredentials;
  /** Lifetime of the tokens derived from an access key (default 1 hour); renewed a minute before they expire. */
  tokenLifetimeSeconds?: number;
}

export interface RemoteRequest {
  params?: Record<string, string>;
  query?: Record<string, string | undefined>;
  /** A JSON body (lossless: bigints travel exact). */
  json?: unknown;
  /** A raw body and its media type, instead of JSON. */
  raw?: { body: NonNullable<RequestInit['body']>; type: string };
  accept?: string;
}

/** One HTTP conversation with the native API: paths from the route table, bearer tokens, errors back to FloeErrors. */
export class RemoteHttp {
  readonly endpoint: string;
  private token?: { value: string; expiresAt: number };

  constructor(private readonly options: ConnectOptions) {
    let url: URL;
    try {
      url = new URL(options.endpoint);
    } catch {
      throw new ValidationError(`endpoint: '${options.endpoint}' is not a URL`, { field: 'endpoint' });
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ValidationError('endpoint: must be an http:// or https:// URL', { field: 'endpoint' });
    this.endpoint = url.toString().replace(/\/+$/, '');
    const c = options.credentials as Partial<{ accessKeyId: string; secretAccessKey: string; token: string }> | undefined;
    if (!c || (typeof c.token !== 'string' && (typeof c.accessKeyId !== 'string' || typeof c.secretAccessKey !== 'string'))) {
      throw new ValidationError('credentials: give { accessKeyId, secretAccessKey } or { token }', { field: 'credentials' });
    }
  }

  private bearer(): string {
    const c = this.options.credentials;
    if ('token' in c) return c.token;
    const now = Math.floor(Date.now() / 1000);
    if (!this.token || this.token.expiresAt - 60 <= now) {
      const expiresAt = now + (this.options.tokenLifetimeSeconds ?? 3600);
      this.token = { value: deriveBearerToken(c.accessKeyId, c.secretAccessKey, expiresAt), expiresAt };
    }
    return this.token.value;
  }

  /** Sends a request; a non-2xx answer is thrown as the FloeError its body names. */
  async send(route: NativeRoute, request: RemoteRequest = {}): Promise<Response> {
    let url = this.endpoint + routePath(route.path, request.params ?? {});
    const query = Object.entries(request.query ?? {}).filter((e): e is [string, string] => e[1] !== undefined);
    if (query.length > 0) url += `?${new URLSearchParams(query).toString()}`;
    const headers: Record<string, string> = { authorization: `Bearer ${this.bearer()}`, accept: request.accept ?? JSON_TYPE };
    let body: NonNullable<RequestInit['body']> | undefined;
    if (request.raw) {
      body = request.raw.body;
      headers['content-type'] = request.raw.type;
    } else if (request.json !== undefined) {
      body = stringifyWire(request.json);
      headers['content-type'] = JSON_TYPE;
    }
    let response: Response;
    try {
      response = await fetch(url, { method: route.method, headers, ...(body === undefined ? {} : { body, duplex: 'half' }) } as RequestInit);
    } catch (error) {
      throw new InternalError(`cannot reach the Floe server at ${this.endpoint}: ${String((error as Error).cause ?? error)}`, { cause: error });
    }
    if (!response.ok) throw fromWireError(await readJson(response).catch(() => undefined), response.status);
    return response;
  }

  /** Sends a request and parses the JSON answer losslessly. */
  async json<T = Record<string, unknown>>(route: NativeRoute, request: RemoteRequest = {}): Promise<T> {
    return (await readJson(await this.send(route, request))) as T;
  }
}

async function readJson(response: Response): Promise<unknown> {
  const text = await response.text();
  return text === '' ? {} : parseWire(text);
}
