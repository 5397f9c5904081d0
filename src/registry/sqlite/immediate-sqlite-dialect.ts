import {
  CompiledQuery,
  SqliteDialect,
  SqliteDriver,
  type DatabaseConnection,
  type Driver,
  type QueryResult,
  type SqliteDialectConfig,
} from 'kysely';
import { StoreLockedError } from '../../domain/index.js';

/**
 * SQLite as the registry needs it: transactions start with BEGIN IMMEDIATE, and a lock that
 * outlasts busy_timeout is a typed error.
 *
 * A deferred BEGIN reads under a shared lock and upgrades on the first write; when another
 * process wrote in between, SQLite refuses the upgrade at once (SQLITE_BUSY, no waiting), so a
 * read-modify-write from two processes would fail instead of queueing. BEGIN IMMEDIATE takes the
 * write lock before the read, and busy_timeout makes the second writer wait its turn.
 */
export class ImmediateSqliteDialect extends SqliteDialect {
  constructor(private readonly config: SqliteDialectConfig) {
    super(config);
  }

  override createDriver(): Driver {
    return new ImmediateSqliteDriver(this.config);
  }
}

class ImmediateSqliteDriver extends SqliteDriver {
  override async acquireConnection(): Promise<DatabaseConnection> {
    return new BusyMappingConnection(await super.acquireConnection());
  }

  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }
}

class BusyMappingConnection implements DatabaseConnection {
  constructor(private readonly inner: DatabaseConnection) {}

  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    try {
      return await this.inner.executeQuery<R>(query);
    } catch (error) {
      throw mapBusy(error);
    }
  }

  streamQuery<R>(query: CompiledQuery, chunkSize?: number): AsyncIterableIterator<QueryResult<R>> {
    return this.inner.streamQuery<R>(query, chunkSize);
  }
}

function mapBusy(error: unknown): unknown {
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && (code === 'SQLITE_BUSY' || code.startsWith('SQLITE_BUSY_') || code === 'SQLITE_LOCKED')) {
    return new StoreLockedError('registry: the SQLite registry stayed locked by another process past the busy timeout; retry', {
      field: 'registry',
      cause: error,
    });
  }
  return error;
}
