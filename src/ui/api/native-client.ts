import type { FeatureGroup, Identity, Job, JobKind, QueryResult, Row, Snapshot } from './types.js';
import { parseWireJson } from './wire-json.js';

/** An error answer of the native API: `{ error: { code, message, field } }` and its HTTP status. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

const path = (name: string) => `/v1/feature-groups/${encodeURIComponent(name)}`;

/** The native API as the UI uses it: same origin, the signed-in key's bearer token on every call. */
export class NativeClient {
  constructor(
    private readonly token: string,
    /** Called when the server refuses the token (expired, key deleted), so the UI can ask to sign in again. */
    private readonly onUnauthenticated: (error: ApiError) => void = () => undefined,
  ) {}

  async request<T>(method: string, url: string, body?: unknown): Promise<T> {
    const response = await fetch(url, {
      method,
      headers: { authorization: `Bearer ${this.token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    const json = (text ? parseWireJson(text) : {}) as { error?: { code: string; message: string; field?: string } };
    if (!response.ok) {
      const e = json.error ?? { code: `HTTP${response.status}`, message: text || response.statusText };
      const error = new ApiError(response.status, e.code, e.message, e.field);
      if (response.status === 401) this.onUnauthenticated(error);
      throw error;
    }
    return json as T;
  }

  whoami(): Promise<Identity> {
    return this.request('GET', '/v1/whoami');
  }

  listFeatureGroups(query: { nameContains?: string; status?: string; nextToken?: string }): Promise<{ featureGroups: FeatureGroup[]; nextToken?: string }> {
    const params = new URLSearchParams({ sortBy: 'Name', sortOrder: 'Ascending', maxResults: '50' });
    if (query.nameContains) params.set('nameContains', query.nameContains);
    if (query.status) params.set('featureGroupStatusEquals', query.status);
    if (query.nextToken) params.set('nextToken', query.nextToken);
    return this.request('GET', `/v1/feature-groups?${params}`);
  }

  describeFeatureGroup(name: string): Promise<FeatureGroup> {
    return this.request('GET', path(name));
  }

  async snapshots(name: string): Promise<Snapshot[]> {
    return (await this.request<{ snapshots: Snapshot[] }>('GET', `${path(name)}/snapshots`)).snapshots;
  }

  async getRecord(name: string, recordId: string): Promise<Row | null> {
    return (await this.request<{ record: Row | null }>('GET', `${path(name)}/records/${encodeURIComponent(recordId)}`)).record;
  }

  query(sql: string, maxRows: number): Promise<QueryResult> {
    return this.request('POST', '/v1/query', { sql, maxRows });
  }

  async listJobs(query: { featureGroupName?: string; limit?: number } = {}): Promise<Job[]> {
    const params = new URLSearchParams({ limit: String(query.limit ?? 100) });
    if (query.featureGroupName) params.set('featureGroupName', query.featureGroupName);
    return (await this.request<{ jobs: Job[] }>('GET', `/v1/jobs?${params}`)).jobs;
  }

  runJob(featureGroupName: string, kind: JobKind): Promise<Job> {
    return this.request('POST', '/v1/jobs', { featureGroupName, kind });
  }
}
