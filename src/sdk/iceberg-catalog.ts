import { NotFoundError, type FeatureGroup } from '../domain/index.js';
import type { OfflineStore, TableMetadata } from '../offline/index.js';
import { checkRequirements, type PropertyChanges, type TableRequirement } from '../offline/iceberg/table-commit-request.js';

/** A table as an Iceberg catalog hands it out: where its current metadata file is, and the metadata. */
export interface CatalogTable {
  metadataLocation: string;
  metadata: TableMetadata;
}

/**
 * The feature groups' Iceberg tables as a catalog sees them (the server's Iceberg REST catalog
 * speaks for this): one table per group with an offline store, named by the group. Reads give the
 * committed metadata; commits go through the same optimistic pointer swap as Floe's own writers.
 */
export class IcebergCatalog {
  constructor(
    private readonly offline: OfflineStore,
    private readonly describe: (name: string) => Promise<FeatureGroup>,
    private readonly allGroups: () => Promise<FeatureGroup[]>,
  ) {}

  /** The names of the groups that have an offline table, in name order. */
  async tableNames(): Promise<string[]> {
    const groups = await this.allGroups();
    return groups
      .filter((g) => g.offlineStoreConfig.enableOfflineStore && g.featureGroupStatus === 'Created')
      .map((g) => g.featureGroupName)
      .sort();
  }

  async loadTable(name: string): Promise<CatalogTable> {
    const table = await this.openTable(name);
    await table.refresh();
    return { metadataLocation: table.metadataLocation, metadata: table.metadata };
  }

  /** Commits property changes once every requirement holds on the metadata the commit builds on. */
  async commitTable(name: string, requirements: readonly TableRequirement[], changes: PropertyChanges): Promise<CatalogTable> {
    const table = await this.openTable(name);
    await table.refresh();
    if (Object.keys(changes.set).length === 0 && changes.remove.length === 0) checkRequirements(requirements, table.metadata);
    else await table.setProperties(changes.set, changes.remove, (base) => checkRequirements(requirements, base));
    return { metadataLocation: table.metadataLocation, metadata: table.metadata };
  }

  private async openTable(name: string) {
    const group = await this.describe(name).catch((error: unknown) => {
      throw error instanceof NotFoundError ? new NotFoundError(`table '${name}' does not exist: no feature group has that name`, { field: 'table' }) : error;
    });
    if (!group.offlineStoreConfig.enableOfflineStore) {
      throw new NotFoundError(`table '${name}' does not exist: feature group '${group.featureGroupName}' has no offline store`, { field: 'table' });
    }
    return this.offline.openTable(group.featureGroupName);
  }
}
