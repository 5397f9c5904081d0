import { describe, expect, it } from 'vitest';
import { ValidationError, type FeatureGroup } from '../domain/index.js';
import { parseDefinitions, type FeatureGroupSpec } from './definition.js';
import { planChanges, planHasChanges, planHasRefusals, type Plan } from './plan.js';
import { renderPlan } from './render.js';

const spec = (over: Partial<FeatureGroupSpec> = {}): FeatureGroupSpec => ({
  name: 'users',
  recordIdentifier: 'user_id',
  eventTime: 'event_time',
  features: { user_id: 'String', event_time: 'String', age: 'Integral', embedding: { type: 'Fractional', collection: 'Vector', dimension: 3 } },
  online: { ttl: '30d' },
  description: 'Users',
  tags: { team: 'growth' },
  ...over,
});

const at = new Date('2025-01-01T00:00:00Z');
/** What the store would describe after creating `s` (built by hand, as a registry holds it). */
function existing(s: FeatureGroupSpec, over: Partial<FeatureGroup> = {}): FeatureGroup {
  const [d] = parseDefinitions([s]);
  return {
    featureGroupName: d!.featureGroupName,
    featureGroupArn: `arn:aws:sagemaker:us-east-1:000000000000:feature-group/${d!.featureGroupName}`,
    recordIdentifierFeatureName: d!.recordIdentifierFeatureName,
    eventTimeFeatureName: d!.eventTimeFeatureName,
    features: d!.features.map((f) => ({
      featureName: f.featureName,
      featureType: f.featureType,
      ...(f.collectionType ? { collectionType: f.collectionType } : {}),
      ...(f.dimension ? { collectionConfig: { vectorConfig: { dimension: f.dimension } } } : {}),
      ...(f.description ? { description: f.description } : {}),
      parameters: [],
      creationTime: at,
      lastModifiedTime: at,
    })),
    onlineStoreConfig: { enableOnlineStore: d!.online.enabled, storageType: d!.online.storageType, ...(d!.online.ttl ? { ttlDuration: d!.online.ttl } : {}) },
    offlineStoreConfig: { enableOfflineStore: d!.offline.enabled, tableFormat: d!.offline.tableFormat },
    featureGroupStatus: 'Created',
    tags: d!.tags,
    creationTime: at,
    lastModifiedTime: at,
    ...(d!.description ? { description: d!.description } : {}),
    ...over,
  };
}

const plan = (desired: FeatureGroupSpec[], current: FeatureGroup[] = []): Plan =>
  planChanges(parseDefinitions({ featureGroups: desired }), new Map(current.map((g) => [g.featureGroupName, g])));

describe('definitions', () => {
  it('normalizes the short forms: types, TTL words and abbreviations, tags as a map, stores on by default', () => {
    const [d] = parseDefinitions({ featureGroups: [spec({ online: { ttl: '12 Hours' }, offline: false })] });
    expect(d!.online).toEqual({ enabled: true, storageType: 'Standard', ttl: { unit: 'Hours', value: 12 } });
    expect(d!.offline.enabled).toBe(false);
    expect(d!.tags).toEqual([{ key: 'team', value: 'growth' }]);
    expect(d!.features.map((f) => f.featureName)).toEqual(['user_id', 'event_time', 'age', 'embedding']);
    expect(parseDefinitions([spec({ online: { ttl: '1w' } })])[0]!.online.ttl).toEqual({ unit: 'Weeks', value: 1 });
  });

  it('names the place and the reason of a bad definition', () => {
    expect(() => parseDefinitions({ featureGroups: [spec({ online: { ttl: 'soon' } })] })).toThrow(/featureGroups\[0\]\.online\.ttl: "soon" is not a duration/);
    expect(() => parseDefinitions({ featureGroups: [spec({ features: { user_id: 'Text' as never } })] })).toThrow(/featureGroups\[0\]\.features\.user_id: must be a feature type/);
    expect(() => parseDefinitions({ featureGroups: [spec(), spec()] })).toThrow(/featureGroups\[1\]\.name: 'users' is defined more than once/);
    expect(() => parseDefinitions({ groups: [] })).toThrow(ValidationError);
    expect(() => parseDefinitions([spec({ features: { user_id: 'String', event_time: 'String', x: { type: 'String', dimension: 2 } } })])).toThrow(/x\.dimension: only a Vector/);
    // Rules of CreateFeatureGroup apply at plan time.
    expect(() => plan([spec({ recordIdentifier: 'missing' })])).toThrow(/featureGroups\[0\]\.recordIdentifierFeatureName: 'missing' is not among/);
  });
});

describe('planChanges', () => {
  it('creates a group that does not exist, with every setting', () => {
    const p = plan([spec({ features: { user_id: 'String', event_time: 'String', age: { type: 'Integral', description: 'years' } } })]);
    expect(p.groups[0]!.action).toBe('create');
    const change = p.groups[0]!.changes[0]!;
    expect(change.kind).toBe('createGroup');
    if (change.kind !== 'createGroup') return;
    expect(change.input.onlineStoreConfig).toEqual({ enableOnlineStore: true, storageType: 'Standard', ttlDuration: { unit: 'Days', value: 30 } });
    expect(change.input.tags).toEqual([{ key: 'team', value: 'growth' }]);
    expect(change.featureDescriptions).toEqual([{ featureName: 'age', description: 'years' }]);
    expect(planHasChanges(p)).toBe(true);
  });

  it('finds no change when the store matches, and lists groups it does not manage', () => {
    const p = plan([spec()], [existing(spec()), existing(spec({ name: 'other' }))]);
    expect(p.groups[0]).toMatchObject({ action: 'none', changes: [], refusals: [] });
    expect(p.unmanaged).toEqual(['other']);
    expect(planHasChanges(p)).toBe(false);
    expect(renderPlan(p)).toMatch(/^No changes: the feature group matches the definitions\.\nNot in the definitions, left as they are: other\.$/);
  });

  it('adds features at the end, changes TTL, description, tags and feature descriptions', () => {
    const now = spec({
      features: { ...spec().features, age: { type: 'Integral', description: 'years' }, country: 'String', visits: { type: 'Integral', collection: 'List' } },
      online: { ttl: '7 Days' },
      description: 'All users',
      tags: { team: 'ml', tier: 'gold' },
    });
    const p = plan([now], [existing(spec(), { tags: [{ key: 'team', value: 'growth' }, { key: 'old', value: 'x' }] })]);
    const g = p.groups[0]!;
    expect(g.action).toBe('update');
    expect(g.refusals).toEqual([]);
    expect(g.changes.map((c) => `${c.op} ${c.kind}`)).toEqual([
      '+ addFeature',
      '+ addFeature',
      '+ setFeatureDescription',
      '~ setTtl',
      '~ setDescription',
      '~ setTag',
      '+ setTag',
      '- setTag',
    ]);
    expect(g.tags).toEqual([{ key: 'team', value: 'ml' }, { key: 'tier', value: 'gold' }]);
    expect(renderPlan(p).split('\n')).toEqual([
      '~ feature group users',
      '    + feature country: String',
      '    + feature visits: Integral List',
      '    + feature age description: "years"',
      '    ~ online TTL: 30 Days -> 7 Days',
      '    ~ description: "Users" -> "All users"',
      '    ~ tag team: "growth" -> "ml"',
      '    + tag tier: "gold"',
      '    - tag old: "x"',
      '',
      'Plan: 0 to create, 1 to update, 0 unchanged.',
    ]);
  });

  it('removes a TTL and a description that the definitions leave out', () => {
    const p = plan([spec({ online: true, description: undefined, tags: undefined })], [existing(spec())]);
    expect(p.groups[0]!.changes).toEqual([
      { kind: 'setTtl', op: '-', from: { unit: 'Days', value: 30 } },
      { kind: 'setDescription', op: '-', from: 'Users' },
      { kind: 'setTag', op: '-', key: 'team', from: 'growth' },
    ]);
  });

  it('refuses retyping, dropping, new identifier or event time, and store changes, saying why and what to do', () => {
    const changed = spec({
      recordIdentifier: 'uid',
      eventTime: 'at',
      features: { uid: 'String', at: 'String', user_id: 'Integral', event_time: 'String', embedding: { type: 'Fractional', collection: 'Vector', dimension: 4 } },
      online: false,
      offline: { tableFormat: 'Glue' },
    });
    const p = plan([changed], [existing(spec())]);
    const refusals = p.groups[0]!.refusals;
    expect(refusals.map((r) => r.field)).toEqual([
      'featureGroups[0].recordIdentifier',
      'featureGroups[0].eventTime',
      'featureGroups[0].online.enabled',
      'featureGroups[0].offline.tableFormat',
      'featureGroups[0].features.age',
      'featureGroups[0].features.user_id',
      'featureGroups[0].features.embedding',
    ]);
    expect(refusals.find((r) => r.field.endsWith('.user_id'))!.change).toBe('retype feature user_id: String -> Integral');
    expect(refusals.find((r) => r.field.endsWith('.embedding'))!.change).toBe('retype feature embedding: Fractional Vector(3) -> Fractional Vector(4)');
    expect(refusals.find((r) => r.field.endsWith('.age'))!.instead).toMatch(/keep it in the definitions and stop writing it/);
    expect(refusals.every((r) => r.reason.length > 0 && /new feature group|new feature/.test(r.instead))).toBe(true);
    expect(planHasRefusals(p)).toBe(true);
    const text = renderPlan(p);
    expect(text).toContain('    ! drop feature age: refused\n        why: features are never dropped');
    expect(text).toMatch(/Nothing will be applied until the refused changes are taken out/);
  });

  it('refuses a changed collection type and storage type', () => {
    const p = plan(
      [spec({ features: { ...spec().features, age: { type: 'Integral', collection: 'Set' } }, online: { ttl: '30d', storageType: 'InMemory' } })],
      [existing(spec())],
    );
    expect(p.groups[0]!.refusals.map((r) => r.change)).toEqual(['online storage type Standard -> InMemory', 'retype feature age: Integral -> Integral Set']);
  });

  it('checks added features like UpdateFeatureGroup does', () => {
    expect(() => plan([spec({ features: { ...spec().features, is_deleted: 'String' } })], [existing(spec())])).toThrow(/featureGroups\[0\]\.features\.featureAdditions\[0\]\.featureName: 'is_deleted' is reserved/);
  });

  it('sets, changes and removes the maintenance schedule and the offline retention', () => {
    const create = plan([spec({ maintenance: { schedule: '0 3 * * *', retention: '365d' } })]);
    expect(create.groups[0]!.changes.slice(1)).toEqual([
      { kind: 'setSchedule', op: '+', to: '0 3 * * *' },
      { kind: 'setRetention', op: '+', to: 31_536_000 },
    ]);
    expect(renderPlan(create)).toContain('    + maintenance schedule: "0 3 * * *"\n    + offline retention: 365 Days\n');
    const current = new Map([['users', { 'floe.maintenance.schedule': '0 3 * * *', 'floe.offline.retention-seconds': '31536000' }]]);
    const desired = (m: FeatureGroupSpec['maintenance']) => planChanges(parseDefinitions([spec({ maintenance: m })]), new Map([['users', existing(spec())]]), current);
    expect(desired({ schedule: '0 3 * * *', retention: 31_536_000 }).groups[0]!.action).toBe('none');
    const changed = desired({ schedule: 'off', retention: '4 Weeks' });
    expect(renderPlan(changed).split('\n').slice(1, 3)).toEqual(['    ~ maintenance schedule: "0 3 * * *" -> "off"', '    ~ offline retention: 365 Days -> 4 Weeks']);
    expect(renderPlan(desired(undefined)).split('\n').slice(1, 3)).toEqual([
      '    - maintenance schedule: "0 3 * * *" (the server default applies)',
      '    - offline retention: 365 Days (rows are kept)',
    ]);
  });

  it('checks maintenance settings as the store will', () => {
    expect(() => parseDefinitions([spec({ maintenance: { schedule: 'nightly' } })])).toThrow(/featureGroups\[0\]\.maintenance\.schedule: 'nightly' is not a cron expression/);
    expect(() => parseDefinitions([spec({ maintenance: { retention: 'forever' } })])).toThrow(/featureGroups\[0\]\.maintenance\.retention: 'forever' is not a duration/);
    expect(() => parseDefinitions([spec({ offline: false, maintenance: { retention: '30d' } })])).toThrow(/featureGroups\[0\]\.maintenance: maintenance applies to the offline store/);
  });
});
