/** The registry's tables, as kysely sees them. Times are ISO-8601 text (sortable, same in every dialect). */
export interface FeatureGroupTable {
  name: string;
  /** Lower-case name: the unique key, since names are unique ignoring case. */
  name_key: string;
  status: string;
  creation_time: string;
  /** The whole FeatureGroup as JSON. */
  definition: string;
}

export interface TablePointerTable {
  table_name: string;
  metadata_location: string;
  version: number;
}

export interface JobRunTable {
  id: string;
  feature_group_name: string | null;
  kind: string;
  status: string;
  started_at: string;
  finished_at: string | null;
  details: string;
  error: string | null;
  trigger: string | null;
  duration_ms: number | string | bigint | null;
  files_before: number | string | bigint | null;
  files_after: number | string | bigint | null;
  bytes_before: number | string | bigint | null;
  bytes_after: number | string | bigint | null;
}

export interface LeaseTable {
  name: string;
  holder: string;
  acquired_at: string;
  expires_at: string;
}

export interface AccessKeyTable {
  access_key_id: string;
  secret: string;
  role: string;
  feature_groups: string | null;
  created_at: string;
}

export interface RegistryDatabase {
  feature_groups: FeatureGroupTable;
  table_pointers: TablePointerTable;
  job_runs: JobRunTable;
  access_keys: AccessKeyTable;
  leases: LeaseTable;
}
