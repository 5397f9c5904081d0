import type { Kysely } from 'kysely';
import { NotFoundError, ResourceInUseError, ValidationError, type FeatureGroup } from '../domain/index.js';
import { featureGroupFromJson, featureGroupToJson } from './feature-group-json.js';
import { migrateRegistry } from './migrations/index.js';
import type {
  AccessKey,
  AccessRole,
  JobRun,
  JobRunQuery,
  Lease,
  ListFeatureGroupsPage,
  ListFeatureGroupsQuery,
  Registry,
  TablePointer,
} from './registry.js';
import type { RegistryDatabase } from './schema.js';

/** What differs between dialects: how a duplicate key shows up, and how to lock a row. */
export interface RegistryDialect {
  readonly kind: Registry['kind'];
  isUniqueViolation(error: unknown): boolean;
  /** PostgreSQL locks the row it reads for update; SQLite's single writer needs nothing. */
  readonly lockRowsForUpdate: boolean;
}

const SORT_COLUMNS = { Name: 'name_key', CreationTime: 'creation_time', FeatureGroupStatus: 'status' } as const;

/** The registry's SQL, written once over kysely and shared by SQLite and PostgreSQL. */
export class KyselyRegistry implements Registry {
  readonly kind: Registry['kind'];
  private closed = false;

  /** `release` runs on close instead of destroying `db`, for a connection shared with others. */
  constructor(
    private readonly db: Kysely<RegistryDatabase>,
    private readonly dialect: RegistryDialect,
    private readonly release: () => Promise<void> = () => db.destroy(),
  ) {
    this.kind = dialect.kind;
  }

  /** Brings the schema up to date; safe to run on every open. */
  async migrate(): Promise<void> {
    await migrateRegistry(this.db);
  }

  async createFeatureGroup(group: FeatureGroup): Promise<void> {
    try {
      await this.db
        .insertInto('feature_groups')
        .values({
          name: group.featureGroupName,
          name_key: group.featureGroupName.toLowerCase(),
          status: group.featureGroupStatus,
          creation_time: group.creationTime.toISOString(),
          definition: featureGroupToJson(group),
        })
        .execute();
    } catch (error) {
      if (this.dialect.isUniqueViolation(error)) {
        throw new ResourceInUseError(`featureGroupName: feature group '${group.featureGroupName}' already exists`, {
          field: 'featureGroupName',
        });
      }
      throw error;
    }
  }

  async getFeatureGroup(name: string): Promise<FeatureGroup | undefined> {
    const row = await this.db.selectFrom('feature_groups').select('definition').where('name_key', '=', name.toLowerCase()).executeTakeFirst();
    return row ? featureGroupFromJson(row.definition) : undefined;
  }

  async listFeatureGroups(query: ListFeatureGroupsQuery = {}): Promise<ListFeatureGroupsPage> {
    const limit = query.maxResults ?? 100;
    if (!Number.isInteger(limit) || limit < 1 || limit > 100) {
      throw new ValidationError('maxResults: must be a whole number from 1 to 100', { field: 'maxResults' });
    }
    const offset = query.nextToken === undefined ? 0 : decodeToken(query.nextToken);
    const sortColumn = SORT_COLUMNS[query.sortBy ?? 'CreationTime'];
    if (!sortColumn) throw new ValidationError('sortBy: must be Name, CreationTime or FeatureGroupStatus', { field: 'sortBy' });
    const direction = (query.sortOrder ?? 'Descending') === 'Ascending' ? 'asc' : 'desc';
    let select = this.db.selectFrom('feature_groups').select('definition');
    if (query.nameContains !== undefined) {
      // Names hold only letters, digits and hyphens, so text with anything else matches nothing
      // (and no LIKE wildcard can slip in).
      if (!/^[a-zA-Z0-9-]*$/.test(query.nameContains)) return { featureGroups: [] };
      select = select.where('name_key', 'like', `%${query.nameContains.toLowerCase()}%`);
    }
    if (query.featureGroupStatusEquals) select = select.where('status', '=', query.featureGroupStatusEquals);
    if (query.creationTimeAfter) select = select.where('creation_time', '>', query.creationTimeAfter.toISOString());
    if (query.creationTimeBefore) select = select.where('creation_time', '<', query.creationTimeBefore.toISOString());
    const rows = await select
      .orderBy(sortColumn, direction)
      .orderBy('name_key', direction)
      .limit(limit + 1)
      .offset(offset)
      .execute();
    const page: ListFeatureGroupsPage = { featureGroups: rows.slice(0, limit).map((r) => featureGroupFromJson(r.definition)) };
    if (rows.length > limit) page.nextToken = encodeToken(offset + limit);
    return page;
  }

  async allFeatureGroups(): Promise<FeatureGroup[]> {
    const rows = await this.db.selectFrom('feature_groups').select('definition').orderBy('creation_time', 'asc').execute();
    return rows.map((r) => featureGroupFromJson(r.definition));
  }

  async updateFeatureGroup(name: string, change: (current: FeatureGroup) => FeatureGroup): Promise<FeatureGroup> {
    return this.db.transaction().execute(async (trx) => {
      let select = trx.selectFrom('feature_groups').select('definition').where('name_key', '=', name.toLowerCase());
      if (this.dialect.lockRowsForUpdate) select = select.forUpdate();
      const row = await select.executeTakeFirst();
      if (!row) throw new NotFoundError(`featureGroupName: feature group '${name}' does not exist`, { field: 'featureGroupName' });
      const next = change(featureGroupFromJson(row.definition));
      await trx
        .updateTable('feature_groups')
        .set({ status: next.featureGroupStatus, definition: featureGroupToJson(next) })
        .where('name_key', '=', name.toLowerCase())
        .execute();
      return next;
    });
  }

  async deleteFeatureGroup(name: string): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      const result = await trx.deleteFrom('feature_groups').where('name_key', '=', name.toLowerCase()).executeTakeFirst();
      if (result.numDeletedRows === 0n) {
        throw new NotFoundError(`featureGroupName: feature group '${name}' does not exist`, { field: 'featureGroupName' });
      }
      await trx.deleteFrom('table_pointers').where('table_name', '=', name.toLowerCase()).execute();
    });
  }

  async getTablePointer(table: string): Promise<TablePointer | undefined> {
    const row = await this.db
      .selectFrom('table_pointers')
      .select(['metadata_location', 'version'])
      .where('table_name', '=', table.toLowerCase())
      .executeTakeFirst();
    return row ? { metadataLocation: row.metadata_location, version: Number(row.version) } : undefined;
  }

  async swapTablePointer(table: string, expected: TablePointer | undefined, metadataLocation: string): Promise<boolean> {
    const key = table.toLowerCase();
    if (expected === undefined) {
      try {
        await this.db.insertInto('table_pointers').values({ table_name: key, metadata_location: metadataLocation, version: 1 }).execute();
        return true;
      } catch (error) {
        if (this.dialect.isUniqueViolation(error)) return false;
        throw error;
      }
    }
    const result = await this.db
      .updateTable('table_pointers')
      .set({ metadata_location: metadataLocation, version: expected.version + 1 })
      .where('table_name', '=', key)
      .where('version', '=', expected.version)
      .where('metadata_location', '=', expected.metadataLocation)
      .executeTakeFirst();
    return result.numUpdatedRows === 1n;
  }

  async recordJobRun(run: JobRun): Promise<void> {
    const values = {
      id: run.id,
      feature_group_name: run.featureGroupName ?? null,
      kind: run.kind,
      status: run.status,
      trigger: run.trigger ?? null,
      started_at: run.startedAt.toISOString(),
      finished_at: run.finishedAt?.toISOString() ?? null,
      duration_ms: run.durationMs ?? null,
      files_before: run.filesBefore ?? null,
      files_after: run.filesAfter ?? null,
      bytes_before: run.bytesBefore ?? null,
      bytes_after: run.bytesAfter ?? null,
      details: JSON.stringify(run.details),
      error: run.error ?? null,
    };
    const { id: _id, feature_group_name: _g, kind: _k, started_at: _s, ...changing } = values;
    await this.db
      .insertInto('job_runs')
      .values(values)
      .onConflict((oc) => oc.column('id').doUpdateSet(changing))
      .execute();
  }

  async listJobRuns(query: JobRunQuery = {}): Promise<JobRun[]> {
    const limit = query.limit ?? 100;
    if (!Number.isInteger(limit) || limit < 1) throw new ValidationError('limit: must be a whole number of at least 1', { field: 'limit' });
    let select = this.db.selectFrom('job_runs').selectAll();
    if (query.featureGroupName) select = select.where('feature_group_name', '=', query.featureGroupName);
    if (query.kind) select = select.where('kind', '=', query.kind);
    if (query.status) select = select.where('status', '=', query.status);
    const rows = await select.orderBy('started_at', 'desc').orderBy('id', 'desc').limit(limit).execute();
    const num = (v: number | string | bigint | null) => (v === null ? undefined : Number(v));
    return rows.map((r) => {
      const run: JobRun = {
        id: r.id,
        kind: r.kind,
        status: r.status as JobRun['status'],
        startedAt: new Date(r.started_at),
        details: JSON.parse(r.details) as Record<string, unknown>,
      };
      if (r.feature_group_name !== null) run.featureGroupName = r.feature_group_name;
      if (r.trigger !== null) run.trigger = r.trigger;
      if (r.finished_at !== null) run.finishedAt = new Date(r.finished_at);
      const numbers = { durationMs: r.duration_ms, filesBefore: r.files_before, filesAfter: r.files_after, bytesBefore: r.bytes_before, bytesAfter: r.bytes_after };
      for (const [key, value] of Object.entries(numbers)) {
        const n = num(value);
        if (n !== undefined) run[key as keyof typeof numbers] = n;
      }
      if (r.error !== null) run.error = r.error;
      return run;
    });
  }

  async acquireLease(name: string, holder: string, ttlMs: number, options: { replacing?: string; now?: Date } = {}): Promise<boolean> {
    const now = options.now ?? new Date();
    const expires = new Date(now.getTime() + ttlMs).toISOString();
    // ISO-8601 UTC text sorts as time, in every dialect.
    const taken = await this.db
      .updateTable('leases')
      .set({ holder, acquired_at: now.toISOString(), expires_at: expires })
      .where('name', '=', name)
      .where((eb) => {
        const free = [eb('expires_at', '<=', now.toISOString()), eb('holder', '=', holder)];
        if (options.replacing !== undefined) free.push(eb('holder', '=', options.replacing));
        return eb.or(free);
      })
      .executeTakeFirst();
    if (taken.numUpdatedRows === 1n) return true;
    try {
      await this.db.insertInto('leases').values({ name, holder, acquired_at: now.toISOString(), expires_at: expires }).execute();
      return true;
    } catch (error) {
      if (this.dialect.isUniqueViolation(error)) return false;
      throw error;
    }
  }

  async renewLease(name: string, holder: string, ttlMs: number, now: Date = new Date()): Promise<boolean> {
    const result = await this.db
      .updateTable('leases')
      .set({ expires_at: new Date(now.getTime() + ttlMs).toISOString() })
      .where('name', '=', name)
      .where('holder', '=', holder)
      .executeTakeFirst();
    return result.numUpdatedRows === 1n;
  }

  async releaseLease(name: string, holder: string): Promise<void> {
    await this.db.deleteFrom('leases').where('name', '=', name).where('holder', '=', holder).execute();
  }

  async getLease(name: string): Promise<Lease | undefined> {
    const row = await this.db.selectFrom('leases').selectAll().where('name', '=', name).executeTakeFirst();
    return row ? { name: row.name, holder: row.holder, acquiredAt: new Date(row.acquired_at), expiresAt: new Date(row.expires_at) } : undefined;
  }

  async putAccessKey(key: AccessKey): Promise<void> {
    const values = {
      access_key_id: key.accessKeyId,
      secret: key.secretAccessKey,
      role: key.role,
      feature_groups: key.featureGroups ? JSON.stringify(key.featureGroups) : null,
      created_at: key.createdAt.toISOString(),
    };
    await this.db
      .insertInto('access_keys')
      .values(values)
      .onConflict((oc) => oc.column('access_key_id').doUpdateSet({ secret: values.secret, role: values.role, feature_groups: values.feature_groups }))
      .execute();
  }

  async getAccessKey(accessKeyId: string): Promise<AccessKey | undefined> {
    const row = await this.db.selectFrom('access_keys').selectAll().where('access_key_id', '=', accessKeyId).executeTakeFirst();
    return row ? toAccessKey(row) : undefined;
  }

  async listAccessKeys(): Promise<AccessKey[]> {
    const rows = await this.db.selectFrom('access_keys').selectAll().orderBy('created_at', 'asc').execute();
    return rows.map(toAccessKey);
  }

  async deleteAccessKey(accessKeyId: string): Promise<boolean> {
    const result = await this.db.deleteFrom('access_keys').where('access_key_id', '=', accessKeyId).executeTakeFirst();
    return result.numDeletedRows > 0n;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.release();
  }
}

function toAccessKey(row: RegistryDatabase['access_keys']): AccessKey {
  return {
    accessKeyId: row.access_key_id,
    secretAccessKey: row.secret,
    role: row.role as AccessRole,
    createdAt: new Date(row.created_at),
    ...(row.feature_groups === null ? {} : { featureGroups: JSON.parse(row.feature_groups) as string[] }),
  };
}

function encodeToken(offset: number): string {
  return Buffer.from(JSON.stringify({ offset })).toString('base64url');
}

function decodeToken(token: string): number {
  try {
    const { offset } = JSON.parse(Buffer.from(token, 'base64url').toString()) as { offset: unknown };
    if (typeof offset === 'number' && Number.isInteger(offset) && offset >= 0) return offset;
  } catch {
    // fall through to the error below
  }
  throw new ValidationError('nextToken: not a token this API returned', { field: 'nextToken' });
}
