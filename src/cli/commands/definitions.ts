import { Command } from 'commander';
import { NotFoundError, type FeatureGroup } from '../../domain/index.js';
import { ansi, applyPlan, loadDefinitions, planChanges, planHasChanges, planHasRefusals, plain, renderPlan, type Plan } from '../../definitions/index.js';
import type { FeatureStoreApi } from '../../sdk/index.js';
import { printJson, useColour, withExamples } from '../output.js';
import { withStore, type GlobalOptions } from '../store-options.js';

/** Every group the definitions name, as described now, plus the names of all others. */
async function currentState(store: FeatureStoreApi, names: string[]): Promise<Map<string, FeatureGroup>> {
  const current = new Map<string, FeatureGroup>();
  let nextToken: string | undefined;
  const all: string[] = [];
  do {
    const page = await store.listFeatureGroups({ maxResults: 100, ...(nextToken ? { nextToken } : {}) });
    all.push(...page.featureGroups.map((g) => g.featureGroupName));
    nextToken = page.nextToken;
  } while (nextToken);
  for (const name of all) {
    try {
      current.set(name, names.includes(name) ? await store.describeFeatureGroup(name) : ({ featureGroupName: name } as FeatureGroup));
    } catch (error) {
      if (!(error instanceof NotFoundError)) throw error; // deleted in between
    }
  }
  return current;
}

/** A store's group handle that reads table properties (the embedded one; not yet the native API's). */
type WithProperties = { tableProperties(): Promise<Record<string, string>> };
const readsProperties = (handle: object): handle is WithProperties => typeof (handle as Partial<WithProperties>).tableProperties === 'function';

async function makePlan(store: FeatureStoreApi, file: string): Promise<Plan> {
  const desired = await loadDefinitions(file);
  const current = await currentState(store, desired.map((d) => d.featureGroupName));
  // A handle is made without I/O: asking one tells whether this store exposes table properties.
  if (desired.length === 0 || !readsProperties(store.featureGroup(desired[0]!.featureGroupName))) return planChanges(desired, current);
  const properties = new Map<string, Record<string, string>>();
  for (const d of desired) {
    const handle = store.featureGroup(d.featureGroupName) as unknown as WithProperties;
    if (current.get(d.featureGroupName)?.offlineStoreConfig.enableOfflineStore) properties.set(d.featureGroupName, await handle.tableProperties());
  }
  return planChanges(desired, current, properties);
}

const FILE_HELP = 'definitions: .yaml, .yml, .json, or a module (.mjs, .js; .ts where the runtime loads TypeScript)';

export function planCommand(globals: () => GlobalOptions): Command {
  return withExamples(
    new Command('plan')
      .description('show what `floe apply` would change to match the definitions (exit code 2 if a change is refused)')
      .requiredOption('-f, --file <file>', FILE_HELP)
      .action(async (opts: { file: string }) => {
        const plan = await withStore(globals(), (store) => makePlan(store, opts.file));
        if (globals().json) printJson(plan);
        else console.log(renderPlan(plan, useColour() ? ansi : plain));
        if (planHasRefusals(plan)) process.exitCode = 2;
      }),
    'floe plan -f features.yaml',
    'floe plan -f features.mjs --json',
  );
}

export function applyCommand(globals: () => GlobalOptions): Command {
  return withExamples(
    new Command('apply')
      .description('create and update feature groups to match the definitions; refused changes stop it before anything changes')
      .requiredOption('-f, --file <file>', FILE_HELP)
      .action(async (opts: { file: string }) => {
        const json = globals().json;
        const colour = useColour() ? ansi : plain;
        const plan = await withStore(globals(), async (store) => {
          const p = await makePlan(store, opts.file);
          if (!planHasRefusals(p)) await applyPlan(p, store);
          return p;
        });
        const refused = planHasRefusals(plan);
        if (json) printJson({ applied: !refused && planHasChanges(plan), plan });
        else {
          console.log(renderPlan(plan, colour));
          if (refused) console.error('error: nothing was applied: take the refused changes out of the definitions (see "instead" above)');
          else if (planHasChanges(plan)) console.log('Applied.');
        }
        if (refused) process.exitCode = 2;
      }),
    'floe apply -f features.yaml',
    'floe apply -f features.yaml && floe apply -f features.yaml   # the second says "No changes"',
  );
}
