import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FeatureStore } from '../sdk/index.js';
import { parseDefinitions, type FeatureGroupSpec } from './definition.js';
import { applyPlan } from './apply.js';
import { planChanges, planHasChanges, type Plan } from './plan.js';
import { ansi, renderPlan } from './render.js';

describe('applyPlan on a real store', () => {
  let dir: string;
  let store: FeatureStore;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'floe-apply-'));
    store = await FeatureStore.open({ dataDir: dir });
  });
  afterAll(async () => {
    await store?.close();
    await rm(dir, { recursive: true, force: true });
  });

  const planFor = async (specs: FeatureGroupSpec[]): Promise<Plan> => {
    const desired = parseDefinitions(specs);
    const current = new Map();
    for (const d of desired) {
      const found = (await store.listFeatureGroups({ nameContains: d.featureGroupName })).featureGroups.find((g) => g.featureGroupName === d.featureGroupName);
      if (found) current.set(d.featureGroupName, await store.describeFeatureGroup(d.featureGroupName));
    }
    return planChanges(desired, current);
  };

  it('creates with feature descriptions, then adds 150 features in calls of at most 100, until nothing is left to do', async () => {
    const base: FeatureGroupSpec = {
      name: 'wide',
      recordIdentifier: 'id',
      eventTime: 't',
      features: { id: 'Integral', t: 'Fractional', a: { type: 'String', description: 'first' } },
      tags: { team: 'ml' },
    };
    await applyPlan(await planFor([base]), store);
    const created = await store.describeFeatureGroup('wide');
    expect(created.features.find((f) => f.featureName === 'a')!.description).toBe('first');
    expect(created.tags).toEqual([{ key: 'team', value: 'ml' }]);

    const wide = { ...base, features: { ...base.features, ...Object.fromEntries(Array.from({ length: 150 }, (_, i) => [`f${i}`, 'Integral' as const])) }, tags: {} };
    const plan = await planFor([wide]);
    expect(plan.groups[0]!.changes.filter((c) => c.kind === 'addFeature')).toHaveLength(150);
    await applyPlan(plan, store);
    const updated = await store.describeFeatureGroup('wide');
    expect(updated.features.map((f) => f.featureName)).toEqual(['id', 't', 'a', ...Array.from({ length: 150 }, (_, i) => `f${i}`)]);
    expect(updated.tags).toEqual([]);
    expect(planHasChanges(await planFor([wide]))).toBe(false);
  });

  it('refuses a plan with a refused change before changing anything', async () => {
    const plan = await planFor([{ name: 'wide', recordIdentifier: 'id', eventTime: 't', features: { id: 'String', t: 'Fractional' }, description: 'changed' }]);
    await expect(applyPlan(plan, store)).rejects.toThrow(/featureGroups\[0\]\.features\.a: drop feature a is refused: features are never dropped/);
    expect((await store.describeFeatureGroup('wide')).description).toBeUndefined();
  });

  it('keeps maintenance settings as table properties, and removes them again', async () => {
    const spec: FeatureGroupSpec = { name: 'kept', recordIdentifier: 'id', eventTime: 't', features: { id: 'String', t: 'String' }, maintenance: { schedule: '15 2 * * *', retention: '90d' } };
    const tableProperties = () => store.featureGroup('kept').tableProperties();
    const planFromStore = async (s: FeatureGroupSpec) => {
      const desired = parseDefinitions([s]);
      const current = new Map((await store.listFeatureGroups()).featureGroups.map((g) => [g.featureGroupName, g]));
      const properties = current.has('kept') ? new Map([['kept', await tableProperties()]]) : new Map();
      return planChanges(desired, current, properties);
    };
    await applyPlan(await planFromStore(spec), store);
    expect(await tableProperties()).toMatchObject({ 'floe.maintenance.schedule': '15 2 * * *', 'floe.offline.retention-seconds': String(90 * 86_400) });
    expect(planHasChanges(await planFromStore(spec))).toBe(false);
    const { maintenance: _dropped, ...without } = spec;
    await applyPlan(await planFromStore(without), store);
    const after = await tableProperties();
    expect(after['floe.maintenance.schedule']).toBeUndefined();
    expect(after['floe.offline.retention-seconds']).toBeUndefined();
    expect(planHasChanges(await planFromStore(without))).toBe(false);
  });

  it('colours the diff for a terminal', async () => {
    const text = renderPlan(await planFor([{ name: 'new-group', recordIdentifier: 'id', eventTime: 't', features: { id: 'String', t: 'String' } }]), ansi);
    expect(text.split('\n')[0]).toBe('\x1b[32m+ feature group \x1b[1mnew-group\x1b[22m\x1b[39m');
  });
});
