import type { TtlDuration } from '../domain/index.js';
import { typeText, type Change, type Plan } from './plan.js';

/** ANSI colours for a terminal; `plain` for pipes, files and tests. */
export interface Palette {
  add(text: string): string;
  change(text: string): string;
  remove(text: string): string;
  bold(text: string): string;
}

export const plain: Palette = { add: (t) => t, change: (t) => t, remove: (t) => t, bold: (t) => t };
export const ansi: Palette = {
  add: (t) => `\x1b[32m${t}\x1b[39m`,
  change: (t) => `\x1b[33m${t}\x1b[39m`,
  remove: (t) => `\x1b[31m${t}\x1b[39m`,
  bold: (t) => `\x1b[1m${t}\x1b[22m`,
};

const ttl = (t: TtlDuration | undefined) => (t ? `${t.value} ${t.unit}` : 'none');
const quoted = (t: string | undefined) => (t === undefined ? 'none' : JSON.stringify(t));

/** Seconds in the largest unit that divides them: 31536000 -> "365 Days". */
export function durationText(seconds: number | undefined): string {
  if (seconds === undefined) return 'none';
  for (const [unit, size] of [['Weeks', 604_800], ['Days', 86_400], ['Hours', 3_600], ['Minutes', 60]] as const) {
    if (seconds % size === 0) return `${seconds / size} ${unit}`;
  }
  return `${seconds} Seconds`;
}

function describe(c: Change): string {
  switch (c.kind) {
    case 'createGroup':
      return 'create feature group';
    case 'addFeature':
      return `feature ${c.feature.featureName}: ${typeText(c.feature)}${c.description ? ` (${JSON.stringify(c.description)})` : ''}`;
    case 'setTtl':
      return `online TTL: ${c.op === '~' ? `${ttl(c.from)} -> ${ttl(c.to)}` : ttl(c.to ?? c.from)}`;
    case 'setDescription':
      return `description: ${c.op === '~' ? `${quoted(c.from)} -> ${quoted(c.to)}` : quoted(c.to ?? c.from)}`;
    case 'setTag':
      return `tag ${c.key}: ${c.op === '~' ? `${quoted(c.from)} -> ${quoted(c.to)}` : quoted(c.to ?? c.from)}`;
    case 'setSchedule':
      return `maintenance schedule: ${c.op === '~' ? `${quoted(c.from)} -> ${quoted(c.to)}` : `${quoted(c.to ?? c.from)}${c.op === '-' ? ' (the server default applies)' : ''}`}`;
    case 'setRetention':
      return `offline retention: ${c.op === '~' ? `${durationText(c.from)} -> ${durationText(c.to)}` : `${durationText(c.to ?? c.from)}${c.op === '-' ? ' (rows are kept)' : ''}`}`;
    case 'setFeatureDescription':
      return `feature ${c.featureName} description: ${c.op === '~' ? `${quoted(c.from)} -> ${quoted(c.to)}` : quoted(c.to ?? c.from)}`;
  }
}

/** The details of a new group, one line each, as `+` lines under it. */
function createLines(c: Extract<Change, { kind: 'createGroup' }>): string[] {
  const i = c.input;
  const online = i.onlineStoreConfig?.enableOnlineStore === false ? 'disabled' : `enabled, TTL ${ttl(i.onlineStoreConfig?.ttlDuration)}`;
  const offline = i.offlineStoreConfig?.enableOfflineStore === false ? 'disabled' : (i.offlineStoreConfig?.tableFormat ?? 'Iceberg');
  const descriptions = new Map(c.featureDescriptions.map((d) => [d.featureName, d.description]));
  return [
    `record identifier: ${i.recordIdentifierFeatureName}`,
    `event time: ${i.eventTimeFeatureName}`,
    ...i.featureDefinitions.map((f) => `feature ${f.featureName}: ${typeText(f)}${descriptions.has(f.featureName) ? ` (${JSON.stringify(descriptions.get(f.featureName))})` : ''}`),
    `online store: ${online}`,
    `offline store: ${offline}`,
    ...(i.description ? [`description: ${JSON.stringify(i.description)}`] : []),
    ...(i.tags ?? []).map((t) => `tag ${t.key}: ${JSON.stringify(t.value)}`),
  ];
}

/**
 * The plan as people read it: one block per group, `+` adds, `~` changes, `-` removes,
 * `!` a refused change with the reason and what to do instead, and a summary line.
 */
export function renderPlan(plan: Plan, palette: Palette = plain): string {
  const colour = (op: string) => (op === '+' ? palette.add : op === '-' || op === '!' ? palette.remove : palette.change);
  const out: string[] = [];
  let creates = 0;
  let updates = 0;
  let refused = 0;
  for (const g of plan.groups) {
    if (g.action === 'none' && g.refusals.length === 0) continue;
    if (g.action === 'create') {
      creates++;
      out.push(palette.add(`+ feature group ${palette.bold(g.featureGroupName)}`));
      for (const c of g.changes) {
        if (c.kind === 'createGroup') for (const line of createLines(c)) out.push(palette.add(`    + ${line}`));
        else out.push(palette.add(`    + ${describe(c)}`));
      }
    } else {
      if (g.action === 'update') updates++;
      out.push(palette.change(`~ feature group ${palette.bold(g.featureGroupName)}`));
      for (const c of g.changes) out.push(colour(c.op)(`    ${c.op} ${describe(c)}`));
    }
    for (const r of g.refusals) {
      refused++;
      out.push(palette.remove(`    ! ${r.change}: refused`));
      out.push(`        why: ${r.reason}`);
      out.push(`        instead: ${r.instead}`);
    }
    out.push('');
  }
  const unchanged = plan.groups.filter((g) => g.action === 'none' && g.refusals.length === 0).length;
  if (creates + updates + refused === 0) {
    out.push(`No changes: ${plan.groups.length === 1 ? 'the feature group matches' : `all ${plan.groups.length} feature groups match`} the definitions.`);
  } else {
    const parts = [`${creates} to create`, `${updates} to update`, `${unchanged} unchanged`];
    if (refused > 0) parts.push(`${refused} refused change${refused === 1 ? '' : 's'}`);
    out.push(`Plan: ${parts.join(', ')}.`);
    if (refused > 0) out.push(palette.remove('Nothing will be applied until the refused changes are taken out of the definitions.'));
  }
  if (plan.unmanaged.length > 0) out.push(`Not in the definitions, left as they are: ${plan.unmanaged.join(', ')}.`);
  return out.join('\n');
}
