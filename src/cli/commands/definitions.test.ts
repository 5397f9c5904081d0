import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, STACK_LINE } from '../../test-support/run-cli.js';

const exampleYaml = fileURLToPath(new URL('../../../examples/definitions/features.yaml', import.meta.url));
const exampleTs = fileURLToPath(new URL('../../../examples/definitions/features.ts', import.meta.url));
const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

const definitions = (over: { ttl?: string; ageType?: string; extra?: string; tags?: string } = {}) => `
featureGroups:
  - name: users
    recordIdentifier: user_id
    eventTime: event_time
    features:
      user_id: String
      event_time: String
      age: ${over.ageType ?? 'Integral'}
${over.extra ?? ''}
    online: { ttl: ${over.ttl ?? '30d'} }
    tags: { ${over.tags ?? 'team: growth'} }
`;

describe('floe plan / apply', { timeout: 120_000 }, () => {
  let dir: string;
  let dataDir: string;
  const floe = (...args: string[]) => runCli(dataDir, args);
  const file = async (name: string, text: string) => {
    const path = join(dir, name);
    await writeFile(path, text);
    return path;
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'floe-cli-definitions-'));
    dataDir = join(dir, 'data');
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('plans the creation, applies it, and a second apply says there is nothing to do', async () => {
    const f = await file('v1.yaml', definitions());
    const plan = await floe('plan', '-f', f);
    expect(plan.code).toBe(0);
    expect(plan.stdout).toContain('+ feature group users\n    + record identifier: user_id\n');
    expect(plan.stdout).toContain('    + online store: enabled, TTL 30 Days\n');
    expect(plan.stdout).toMatch(/Plan: 1 to create, 0 to update, 0 unchanged\.$/m);
    expect((await floe('fg', 'list')).stdout).toBe('(none)\n'); // plan changed nothing

    const applied = await floe('apply', '-f', f);
    expect(applied.code).toBe(0);
    expect(applied.stdout).toMatch(/Applied\.\n$/);
    const described = JSON.parse((await floe('--json', 'fg', 'describe', 'users')).stdout) as { onlineStoreConfig: unknown; tags: unknown };
    expect(described.onlineStoreConfig).toMatchObject({ ttlDuration: { unit: 'Days', value: 30 } });
    expect(described.tags).toEqual([{ key: 'team', value: 'growth' }]);

    const again = await floe('apply', '-f', f);
    expect(again).toMatchObject({ code: 0, stdout: 'No changes: the feature group matches the definitions.\n' });
  });

  it('shows and applies additions and changes as a diff, for people and as JSON', async () => {
    const f = await file('v2.yaml', definitions({ ttl: '7 Days', extra: '      country: { type: String, description: ISO code }', tags: 'team: ml, tier: gold' }));
    const plan = await floe('plan', '-f', f);
    expect(plan.stdout.split('\n').slice(0, 7)).toEqual([
      '~ feature group users',
      '    + feature country: String ("ISO code")',
      '    ~ online TTL: 30 Days -> 7 Days',
      '    ~ tag team: "growth" -> "ml"',
      '    + tag tier: "gold"',
      '',
      'Plan: 0 to create, 1 to update, 0 unchanged.',
    ]);
    const json = JSON.parse((await floe('--json', 'plan', '-f', f)).stdout) as { groups: Array<{ changes: Array<{ kind: string }> }> };
    expect(json.groups[0]!.changes.map((c) => c.kind)).toEqual(['addFeature', 'setTtl', 'setTag', 'setTag']);

    expect((await floe('apply', '-f', f)).code).toBe(0);
    const described = JSON.parse((await floe('--json', 'fg', 'describe', 'users')).stdout) as {
      features: Array<{ featureName: string; description?: string }>;
      tags: unknown;
      onlineStoreConfig: unknown;
    };
    expect(described.features.at(-1)).toMatchObject({ featureName: 'country', description: 'ISO code' });
    expect(described.tags).toEqual([{ key: 'team', value: 'ml' }, { key: 'tier', value: 'gold' }]);
    expect(described.onlineStoreConfig).toMatchObject({ ttlDuration: { unit: 'Days', value: 7 } });
    expect((await floe('plan', '-f', f)).stdout).toMatch(/^No changes/);
  });

  it('refuses a retype and a dropped feature, says why and what to do, and applies nothing', async () => {
    const f = await file('v3.yaml', definitions({ ttl: '1d', ageType: 'Fractional', tags: 'team: ml, tier: gold' }));
    const plan = await floe('plan', '-f', f);
    expect(plan.code).toBe(2);
    expect(plan.stdout).toContain('    ! retype feature age: Integral -> Fractional: refused\n        why: a feature is never retyped');
    expect(plan.stdout).toContain('    ! drop feature country: refused\n');
    expect(plan.stdout).toMatch(/instead: .*create a new feature group .* backfill/);
    const applied = await floe('apply', '-f', f);
    expect(applied.code).toBe(2);
    expect(applied.stderr).toMatch(/^error: nothing was applied/);
    const described = JSON.parse((await floe('--json', 'fg', 'describe', 'users')).stdout) as { onlineStoreConfig: unknown };
    expect(described.onlineStoreConfig).toMatchObject({ ttlDuration: { unit: 'Days', value: 7 } }); // the TTL change was not made either
  });

  it('loads a module exporting defineFeatureGroups, and says how to load TypeScript when the runtime cannot', async () => {
    const mjs = join(repoRoot, 'examples', 'definitions', '.features-test.mjs');
    await writeFile(mjs, "import { defineFeatureGroups } from 'floe';\nexport default defineFeatureGroups([{ name: 'clicks', recordIdentifier: 'id', eventTime: 't', features: { id: 'Integral', t: 'Fractional' }, online: false }]);\n");
    try {
      const plan = await floe('plan', '-f', mjs);
      expect(plan.code).toBe(0);
      expect(plan.stdout).toContain('+ feature group clicks\n');
      expect(plan.stdout).toContain('    + online store: disabled\n');
      expect(plan.stdout).toContain('Not in the definitions, left as they are: users.');
    } finally {
      await rm(mjs, { force: true });
    }
    const ts = await floe('plan', '-f', exampleTs);
    const [major, minor] = process.versions.node.split('.').map(Number) as [number, number];
    if (major > 22 || (major === 22 && minor >= 18)) {
      expect(ts.stdout).toContain('+ feature group user-embeddings');
    } else {
      expect(ts.code).toBe(2);
      expect(ts.stderr).toMatch(/cannot load TypeScript; compile it to \.js or \.mjs/);
      // Through tsx (as the message says), the TypeScript definitions load.
      const viaTsx = await runCli(dataDir, ['plan', '-f', exampleTs], { nodeArgs: ['--import', 'tsx'] });
      expect(viaTsx.stdout).toContain('    + feature embedding: Fractional Vector(4)\n');
    }
    const yaml = await floe('plan', '-f', exampleYaml);
    expect(yaml.stdout).toMatch(/Plan: 2 to create, 0 to update, 0 unchanged\./);
  });

  it('reports bad definitions with the place and the reason, exit code 2, no stack trace', async () => {
    const cases: Array<[string, RegExp]> = [
      [definitions({ ttl: 'soon' }), /^error: featureGroups\[0\]\.online\.ttl: "soon" is not a duration/],
      [definitions({ ageType: 'Number' }), /^error: featureGroups\[0\]\.features\.age: must be a feature type/],
      ['featureGroups: [ { name: x', /^error: .*bad\.yaml: not valid YAML/],
      ['groups: []', /^error: featureGroups: is required/],
    ];
    for (const [text, message] of cases) {
      const r = await floe('plan', '-f', await file('bad.yaml', text));
      expect(r.code, text).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).not.toMatch(STACK_LINE);
    }
    const missing = await floe('apply', '-f', join(dir, 'nope.yaml'));
    expect(missing).toMatchObject({ code: 2 });
    expect(missing.stderr).toMatch(/nope\.yaml: cannot read the file \(ENOENT\)/);
    expect((await floe('plan')).stderr).toMatch(/required option '-f, --file <file>'/);
  });
});
