import type { Feature, FeatureGroup } from '../domain/index.js';

/** Feature groups are stored as JSON; Dates travel as ISO strings and are revived on read. */
export function featureGroupToJson(group: FeatureGroup): string {
  return JSON.stringify(group);
}

export function featureGroupFromJson(json: string): FeatureGroup {
  const raw = JSON.parse(json) as FeatureGroup & { creationTime: string; lastModifiedTime: string };
  return {
    ...raw,
    creationTime: new Date(raw.creationTime),
    lastModifiedTime: new Date(raw.lastModifiedTime),
    features: raw.features.map((f: Feature) => ({
      ...f,
      creationTime: new Date(f.creationTime as unknown as string),
      lastModifiedTime: new Date(f.lastModifiedTime as unknown as string),
    })),
  };
}
