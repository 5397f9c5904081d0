import { useCallback, useEffect, useState } from 'preact/hooks';

export interface AsyncState<T> {
  value?: T;
  error?: Error;
  loading: boolean;
  reload: () => void;
}

/** Runs `load` when its inputs change (and on reload); a stale answer never overwrites a newer one. */
export function useAsync<T>(load: () => Promise<T>, inputs: unknown[]): AsyncState<T> {
  const [state, setState] = useState<{ value?: T; error?: Error; loading: boolean }>({ loading: true });
  const [generation, setGeneration] = useState(0);
  useEffect(() => {
    let current = true;
    setState((s) => ({ ...s, loading: true }));
    load().then(
      (value) => current && setState({ value, loading: false }),
      (error: Error) => current && setState({ error, loading: false }),
    );
    return () => {
      current = false;
    };
  }, [...inputs, generation]); // the caller names the inputs load depends on
  const reload = useCallback(() => setGeneration((g) => g + 1), []);
  return { ...state, reload };
}
