import { describe, expect, it } from 'vitest';
import { ValidationError } from './errors.js';
import { parseIsoToMicros } from './event-time.js';
import type { FeatureGroup } from './feature-group.js';
import { validateRecord } from './record.js';

const now = new Date('2025-01-01T00:00:00Z');
const group: FeatureGroup = {
  featureGroupName: 'users',
  featureGroupArn: 'arn:aws:sagemaker:local:000000000000:feature-group/users',
  recordIdentifierFeatureName: 'user_id',
  eventTimeFeatureName: 'event_time',
  features: [
    { featureName: 'user_id', featureType: 'Integral' },
    { featureName: 'event_time', featureType: 'String' },
    { featureName: 'score', featureType: 'Fractional' },
    { featureName: 'tags', featureType: 'String', collectionType: 'Set' },
    { featureName: 'embedding', featureType: 'Fractional', collectionType: 'Vector', collectionConfig: { vectorConfig: { dimension: 3 } } },
  ].map((f) => ({ ...f, parameters: [], creationTime: now, lastModifiedTime: now }) as FeatureGroup['features'][number]),
  onlineStoreConfig: { enableOnlineStore: true, storageType: 'Standard' },
  offlineStoreConfig: { enableOfflineStore: true, tableFormat: 'Iceberg' },
  featureGroupStatus: 'Created',
  tags: [],
  creationTime: now,
  lastModifiedTime: now,
};

describe('validateRecord', () => {
  it('canonicalises identifiers and keeps int64 beyond 2^53 exact', () => {
    const r = validateRecord(group, { user_id: '9007199254740993', event_time: '2025-01-01T09:00:00+09:00', score: 1.5 });
    expect(r.recordId).toBe('9007199254740993');
    expect(r.values.user_id).toBe(9007199254740993n);
    expect(r.eventTimeMicros).toBe(parseIsoToMicros('2025-01-01T00:00:00Z', 'x'));
  });

  it('names the feature and the reason', () => {
    expect(() => validateRecord(group, { user_id: 1, event_time: '2025-01-01T00:00:00Z', score: 'high' })).toThrow(
      /score: expected a Fractional/,
    );
    expect(() => validateRecord(group, { user_id: 1, event_time: 'yesterday' })).toThrow(ValidationError);
    expect(() => validateRecord(group, { user_id: 1, event_time: '2025-01-01T00:00:00Z', nope: 1 })).toThrow(/nope: feature 'nope' is not defined/);
    expect(() =>
      validateRecord(group, { user_id: 1, event_time: '2025-01-01T00:00:00Z', embedding: [1, 2] }),
    ).toThrow(/embedding: a Vector of dimension 3 needs 3 values, got 2/);
    expect(() => validateRecord(group, { user_id: 1, event_time: '2025-01-01T00:00:00Z', tags: ['a', 'a'] })).toThrow(/Set may not hold 'a' twice/);
    expect(() => validateRecord(group, { event_time: '2025-01-01T00:00:00Z' })).toThrow(/user_id: the record identifier is required/);
  });

  it('reads fractional seconds in event times to the microsecond', () => {
    expect(parseIsoToMicros('1970-01-01T00:00:01.0000015Z', 'x')).toBe(1_000_001);
    expect(() => parseIsoToMicros('2025-02-30T00:00:00Z', 'x')).toThrow(/not a valid calendar/);
    expect(() => parseIsoToMicros('2025-01-01T00:00:00', 'x')).toThrow(/with a zone/);
  });
});
