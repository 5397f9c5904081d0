import { ValidationError, type FeatureGroup } from '../domain/index.js';
import type { FeatureMetadata } from './feature-group-service.js';

/**
 * SageMaker's Search over the resources FeatureGroup and FeatureMetadata: filters on
 * properties (`FeatureGroupName`, `Tags.team`, `Parameters.owner`, `CreationTime`, ...),
 * nested And/Or sub-expressions, sorting and paging.
 */
export type SearchOperator =
  | 'Equals'
  | 'NotEquals'
  | 'GreaterThan'
  | 'GreaterThanOrEqualTo'
  | 'LessThan'
  | 'LessThanOrEqualTo'
  | 'Contains'
  | 'Exists'
  | 'NotExists'
  | 'In';

const OPERATORS: readonly SearchOperator[] = [
  'Equals',
  'NotEquals',
  'GreaterThan',
  'GreaterThanOrEqualTo',
  'LessThan',
  'LessThanOrEqualTo',
  'Contains',
  'Exists',
  'NotExists',
  'In',
];

export interface SearchFilter {
  name: string;
  operator?: SearchOperator;
  value?: string;
}

export interface SearchExpression {
  filters?: SearchFilter[];
  subExpressions?: SearchExpression[];
  operator?: 'And' | 'Or';
}

export interface SearchRequest {
  resource: 'FeatureGroup' | 'FeatureMetadata';
  searchExpression?: SearchExpression;
  sortBy?: string;
  sortOrder?: 'Ascending' | 'Descending';
  maxResults?: number;
  nextToken?: string;
}

export type SearchResult = { featureGroup: FeatureGroup } | { featureMetadata: FeatureMetadata };

export interface SearchResponse {
  results: SearchResult[];
  nextToken?: string;
}

type Flat = Map<string, string>;

/** Property names as SageMaker spells them, flattened to text for matching. */
function flattenGroup(g: FeatureGroup): Flat {
  const flat: Flat = new Map([
    ['FeatureGroupName', g.featureGroupName],
    ['FeatureGroupArn', g.featureGroupArn],
    ['RecordIdentifierFeatureName', g.recordIdentifierFeatureName],
    ['EventTimeFeatureName', g.eventTimeFeatureName],
    ['FeatureGroupStatus', g.featureGroupStatus],
    ['CreationTime', g.creationTime.toISOString()],
    ['LastModifiedTime', g.lastModifiedTime.toISOString()],
    ['OnlineStoreConfig.EnableOnlineStore', String(g.onlineStoreConfig.enableOnlineStore)],
    ['OfflineStoreConfig.EnableOfflineStore', String(g.offlineStoreConfig.enableOfflineStore)],
    ['OfflineStoreConfig.TableFormat', g.offlineStoreConfig.tableFormat],
  ]);
  if (g.description !== undefined) flat.set('Description', g.description);
  for (const t of g.tags) flat.set(`Tags.${t.key}`, t.value);
  g.features.forEach((f) => flat.set(`FeatureDefinitions.${f.featureName}.FeatureType`, f.featureType));
  return flat;
}

function flattenFeature(m: FeatureMetadata): Flat {
  const flat: Flat = new Map([
    ['FeatureGroupName', m.featureGroupName],
    ['FeatureGroupArn', m.featureGroupArn],
    ['FeatureName', m.featureName],
    ['FeatureType', m.featureType],
    ['CreationTime', m.creationTime.toISOString()],
    ['LastModifiedTime', m.lastModifiedTime.toISOString()],
  ]);
  if (m.collectionType) flat.set('CollectionType', m.collectionType);
  if (m.description !== undefined) flat.set('Description', m.description);
  for (const p of m.parameters) flat.set(`Parameters.${p.key}`, p.value);
  return flat;
}

function compare(a: string, b: string): number {
  const na = Number(a);
  const nb = Number(b);
  if (a.trim() !== '' && b.trim() !== '' && Number.isFinite(na) && Number.isFinite(nb)) return na - nb;
  const da = Date.parse(a);
  const db = Date.parse(b);
  if (/^\d{4}-\d\d-\d\d/.test(a) && /^\d{4}-\d\d-\d\d/.test(b) && !Number.isNaN(da) && !Number.isNaN(db)) return da - db;
  return a < b ? -1 : a > b ? 1 : 0;
}

function matchFilter(flat: Flat, filter: SearchFilter, path: string): boolean {
  const op = filter.operator ?? 'Equals';
  if (!OPERATORS.includes(op)) {
    throw new ValidationError(`${path}.operator: must be one of ${OPERATORS.join(', ')}`, { field: `${path}.operator` });
  }
  const actual = flat.get(filter.name);
  if (op === 'Exists') return actual !== undefined;
  if (op === 'NotExists') return actual === undefined;
  if (filter.value === undefined) throw new ValidationError(`${path}.value: is required for ${op}`, { field: `${path}.value` });
  if (actual === undefined) return op === 'NotEquals';
  const value = filter.value;
  switch (op) {
    case 'Equals':
      return compare(actual, value) === 0;
    case 'NotEquals':
      return compare(actual, value) !== 0;
    case 'GreaterThan':
      return compare(actual, value) > 0;
    case 'GreaterThanOrEqualTo':
      return compare(actual, value) >= 0;
    case 'LessThan':
      return compare(actual, value) < 0;
    case 'LessThanOrEqualTo':
      return compare(actual, value) <= 0;
    case 'Contains':
      return actual.toLowerCase().includes(value.toLowerCase());
    case 'In':
      return value.split(',').map((v) => v.trim()).includes(actual);
  }
}

function matchExpression(flat: Flat, expr: SearchExpression, path: string): boolean {
  const parts: boolean[] = [
    ...(expr.filters ?? []).map((f, i) => matchFilter(flat, f, `${path}.filters[${i}]`)),
    ...(expr.subExpressions ?? []).map((e, i) => matchExpression(flat, e, `${path}.subExpressions[${i}]`)),
  ];
  if (parts.length === 0) return true;
  return expr.operator === 'Or' ? parts.some(Boolean) : parts.every(Boolean);
}

export function search(groups: FeatureGroup[], request: SearchRequest): SearchResponse {
  if (request.resource !== 'FeatureGroup' && request.resource !== 'FeatureMetadata') {
    throw new ValidationError('resource: must be FeatureGroup or FeatureMetadata', { field: 'resource' });
  }
  const maxResults = request.maxResults ?? 50;
  if (!Number.isInteger(maxResults) || maxResults < 1 || maxResults > 100) {
    throw new ValidationError('maxResults: must be a whole number from 1 to 100', { field: 'maxResults' });
  }
  const offset = request.nextToken === undefined ? 0 : Number(Buffer.from(request.nextToken, 'base64url').toString());
  if (!Number.isInteger(offset) || offset < 0) throw new ValidationError('nextToken: not a token this API returned', { field: 'nextToken' });

  const candidates: Array<{ flat: Flat; result: SearchResult }> =
    request.resource === 'FeatureGroup'
      ? groups.map((g) => ({ flat: flattenGroup(g), result: { featureGroup: g } }))
      : groups.flatMap((g) =>
          g.features.map((f) => {
            const meta: FeatureMetadata = { ...f, featureGroupName: g.featureGroupName, featureGroupArn: g.featureGroupArn };
            return { flat: flattenFeature(meta), result: { featureMetadata: meta } };
          }),
        );
  const expression = request.searchExpression ?? {};
  const matched = candidates.filter((c) => matchExpression(c.flat, expression, 'searchExpression'));
  const sortBy = request.sortBy ?? 'CreationTime';
  const direction = (request.sortOrder ?? 'Descending') === 'Ascending' ? 1 : -1;
  matched.sort((a, b) => direction * compare(a.flat.get(sortBy) ?? '', b.flat.get(sortBy) ?? ''));
  const page = matched.slice(offset, offset + maxResults);
  const next = offset + maxResults < matched.length ? Buffer.from(String(offset + maxResults)).toString('base64url') : undefined;
  return next === undefined ? { results: page.map((m) => m.result) } : { results: page.map((m) => m.result), nextToken: next };
}
