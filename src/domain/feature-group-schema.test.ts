import { describe, expect, it } from 'vitest';
import { ValidationError } from './errors.js';
import { validateCreateFeatureGroup, validateFeatureAdditions } from './feature-group-schema.js';

const base = {
  featureGroupName: 'users',
  recordIdentifierFeatureName: 'id',
  eventTimeFeatureName: 'ts',
  featureDefinitions: [
    { featureName: 'id', featureType: 'Integral' },
    { featureName: 'ts', featureType: 'Fractional' },
  ],
};

function fieldOf(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return (error as ValidationError).field;
  }
  throw new Error('expected a ValidationError');
}

describe('validateCreateFeatureGroup', () => {
  it('accepts Integral identifiers and Fractional epoch event times', () => {
    expect(validateCreateFeatureGroup(base).featureGroupName).toBe('users');
  });

  it('accepts names of 64 characters with single hyphens and refuses the rest', () => {
    expect(validateCreateFeatureGroup({ ...base, featureGroupName: `a-${'b'.repeat(62)}` }).featureGroupName).toHaveLength(64);
    for (const featureGroupName of ['-a', 'a-', 'a--b', 'a_b', '', 'a b', 'ä']) {
      expect(fieldOf(() => validateCreateFeatureGroup({ ...base, featureGroupName }))).toBe('featureGroupName');
    }
  });

  it('refuses unknown properties instead of ignoring them', () => {
    expect(fieldOf(() => validateCreateFeatureGroup({ ...base, onlineStoreConfig: { enableOnlineStor: true } }))).toBe('onlineStoreConfig');
  });

  it('refuses a collection as identifier or event time', () => {
    const defs = [
      { featureName: 'id', featureType: 'String', collectionType: 'List' },
      { featureName: 'ts', featureType: 'Fractional' },
    ];
    expect(fieldOf(() => validateCreateFeatureGroup({ ...base, featureDefinitions: defs }))).toBe('recordIdentifierFeatureName');
  });

  it('refuses a Vector of Strings and a collectionConfig on a List', () => {
    const vector = { featureName: 'v', featureType: 'String', collectionType: 'Vector', collectionConfig: { vectorConfig: { dimension: 2 } } };
    expect(fieldOf(() => validateCreateFeatureGroup({ ...base, featureDefinitions: [...base.featureDefinitions, vector] }))).toBe(
      'featureDefinitions[2]',
    );
    const list = { featureName: 'l', featureType: 'String', collectionType: 'List', collectionConfig: { vectorConfig: { dimension: 2 } } };
    expect(fieldOf(() => validateCreateFeatureGroup({ ...base, featureDefinitions: [...base.featureDefinitions, list] }))).toBe(
      'featureDefinitions[2].collectionConfig',
    );
  });

  it('checks additions against the existing features, ignoring case', () => {
    expect(fieldOf(() => validateFeatureAdditions([{ featureName: 'ID', featureType: 'String' }], ['id', 'ts']))).toBe('featureAdditions[0].featureName');
    expect(fieldOf(() => validateFeatureAdditions([{ featureName: 'write_time', featureType: 'String' }], ['id']))).toBe('featureAdditions[0].featureName');
    expect(validateFeatureAdditions([{ featureName: 'new', featureType: 'String' }], ['id'])).toHaveLength(1);
  });
});
