import { DuckDBInstance } from '@duckdb/node-api';

export interface SandboxOptions {
  /** Real path of the only directory user SQL may read. */
  warehouseDir: string;
  /** Where DuckDB spills (real path). DuckDB adds it to the readable directories itself. */
  spillDir: string;
  memoryLimit: string;
  threads: number;
}

const literal = (text: string) => `'${text.replaceAll("'", "''")}'`;

/**
 * A DuckDB instance locked down for user SQL. The three sandbox settings are instance-wide (a
 * fresh connection sees them, and `lock_configuration` refuses every later SET or RESET on any
 * connection), which is why the query engine owns an instance of its own. Extensions never load
 * at run time: parquet, json and icu are statically linked, nothing else may be fetched.
 */
export async function openSandbox(options: SandboxOptions): Promise<DuckDBInstance> {
  const instance = await DuckDBInstance.create(':memory:', {
    threads: String(options.threads),
    memory_limit: options.memoryLimit,
    temp_directory: options.spillDir,
    autoinstall_known_extensions: 'false',
    autoload_known_extensions: 'false',
    // Table files are immutable and read through the operating system's page cache (or, for a
    // remote warehouse, Floe's own cache on disk); DuckDB's copy in memory would grow with every
    // file ever queried, old snapshots' included, until the memory limit forces it out.
    enable_external_file_cache: 'false',
  });
  const setup = await instance.connect();
  try {
    // UTC so that TIMESTAMPTZ text and date parts do not depend on the host's zone. TimeZone needs
    // icu loaded, so it cannot be an instance option; it must come before the lock.
    await setup.run("SET GLOBAL TimeZone = 'UTC'");
    await setup.run(`SET allowed_directories = [${literal(`${options.warehouseDir}/`)}]`);
    await setup.run('SET enable_external_access = false');
    await setup.run('SET lock_configuration = true');
  } catch (error) {
    instance.closeSync();
    throw error;
  } finally {
    setup.closeSync();
  }
  return instance;
}
