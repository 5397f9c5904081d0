import type { FeatureGroup } from '../domain/index.js';
import type { Registry } from '../registry/registry.js';

/**
 * Feature group definitions are read on every record call; the registry is hit at most once
 * per group per `maxAgeMs`. Local changes invalidate at once; changes made by another process
 * sharing the registry are seen within `maxAgeMs`.
 */
export class FeatureGroupCache {
  private readonly entries = new Map<string, { group: FeatureGroup | undefined; at: number }>();

  /**
   * `cacheMisses: false` asks the registry again about a group it did not find, for a process
   * that does not create groups itself (a store replica): a group created elsewhere is found at
   * its first read.
   */
  constructor(
    private readonly registry: Registry,
    private readonly maxAgeMs = 1000,
    private readonly cacheMisses = true,
  ) {}

  async get(name: string): Promise<FeatureGroup | undefined> {
    const key = name.toLowerCase();
    const hit = this.entries.get(key);
    const now = Date.now();
    if (hit && now - hit.at < this.maxAgeMs) return hit.group;
    const group = await this.registry.getFeatureGroup(name);
    if (group || this.cacheMisses) this.entries.set(key, { group, at: now });
    return group;
  }

  invalidate(name: string): void {
    this.entries.delete(name.toLowerCase());
  }
}
