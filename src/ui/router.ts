import { useEffect, useState } from 'preact/hooks';

/** The pages, addressed by the URL's fragment so the server serves one file and links can be shared. */
export type Route =
  | { page: 'groups' }
  | { page: 'group'; name: string }
  | { page: 'query'; sql?: string }
  | { page: 'jobs'; featureGroupName?: string };

export function parseRoute(hash: string): Route {
  const [path = '', search = ''] = hash.replace(/^#/, '').split('?');
  const params = new URLSearchParams(search);
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  if (parts[0] === 'groups' && parts[1] !== undefined) return { page: 'group', name: parts[1] };
  if (parts[0] === 'query') return { page: 'query', ...(params.get('sql') ? { sql: params.get('sql')! } : {}) };
  if (parts[0] === 'jobs') return { page: 'jobs', ...(params.get('group') ? { featureGroupName: params.get('group')! } : {}) };
  return { page: 'groups' };
}

export function href(route: Route): string {
  switch (route.page) {
    case 'groups':
      return '#/groups';
    case 'group':
      return `#/groups/${encodeURIComponent(route.name)}`;
    case 'query':
      return route.sql ? `#/query?${new URLSearchParams({ sql: route.sql })}` : '#/query';
    case 'jobs':
      return route.featureGroupName ? `#/jobs?${new URLSearchParams({ group: route.featureGroupName })}` : '#/jobs';
  }
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(location.hash));
  useEffect(() => {
    const update = () => setRoute(parseRoute(location.hash));
    addEventListener('hashchange', update);
    return () => removeEventListener('hashchange', update);
  }, []);
  return route;
}
