import { useMemo, useState } from 'preact/hooks';
import { NativeClient } from './api/native-client.js';
import { FeatureGroupPage } from './pages/feature-group-page.js';
import { FeatureGroupsPage } from './pages/feature-groups-page.js';
import { JobsPage } from './pages/jobs-page.js';
import { QueryPage } from './pages/query-page.js';
import { SignInPage } from './pages/sign-in-page.js';
import { href, useRoute, type Route } from './router.js';
import { clearSession, loadSession, type Session } from './session.js';

function Page({ route, api, session }: { route: Route; api: NativeClient; session: Session }) {
  switch (route.page) {
    case 'groups':
      return <FeatureGroupsPage api={api} />;
    case 'group':
      return <FeatureGroupPage key={route.name} api={api} name={route.name} />;
    case 'query':
      return <QueryPage key={route.sql} api={api} {...(route.sql ? { initialSql: route.sql } : {})} />;
    case 'jobs':
      return <JobsPage api={api} canRun={session.role === 'admin'} {...(route.featureGroupName ? { featureGroupName: route.featureGroupName } : {})} />;
  }
}

/** The shell: sign-in until there is a session, then the navigation and the current page. */
export function App() {
  const [session, setSession] = useState(loadSession);
  const [notice, setNotice] = useState<string>();
  const route = useRoute();
  const api = useMemo(
    () =>
      session &&
      new NativeClient(session.token, (error) => {
        clearSession();
        setSession(undefined);
        setNotice(`Signed out: ${error.message}`);
      }),
    [session],
  );
  if (!session || !api) {
    return (
      <SignInPage
        onSignedIn={(s) => {
          setNotice(undefined);
          setSession(s);
        }}
        {...(notice ? { notice } : {})}
      />
    );
  }
  const current = route.page === 'group' ? 'groups' : route.page;
  return (
    <>
      <header class="top">
        <a class="brand" href={href({ page: 'groups' })}>
          Floe
        </a>
        <nav>
          {(['groups', 'query', 'jobs'] as const).map((page) => (
            <a key={page} href={href({ page })} class={current === page ? 'active' : undefined}>
              {{ groups: 'Feature groups', query: 'Query', jobs: 'Jobs' }[page]}
            </a>
          ))}
        </nav>
        <div class="who" data-testid="who">
          {session.accessKeyId} <span class="role">{session.role}</span>
          <button
            class="link"
            onClick={() => {
              clearSession();
              setSession(undefined);
            }}
          >
            Sign out
          </button>
        </div>
      </header>
      <main class="content">
        <Page route={route} api={api} session={session} />
      </main>
    </>
  );
}
