import type { FormInstance } from 'antd';
import { App } from 'antd';
import { useCallback, useEffect, useRef, useState } from 'react';
import { ProblemError } from './api/client.ts';
import { useI18n } from './i18n.tsx';
import type { MessageKey } from './messages.ts';

export interface Loaded<T> {
  data: T | undefined;
  error: ProblemError | undefined;
  loading: boolean;
  reload(): void;
}

/** Loads once per change of `deps`; errors are kept as ProblemError for the page to show. */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[]): Loaded<T> {
  const [state, setState] = useState<{ data?: T; error?: ProblemError; loading: boolean }>({ loading: true });
  const [tick, setTick] = useState(0);
  const loadRef = useRef(load);
  loadRef.current = load;
  // biome-ignore lint/correctness/useExhaustiveDependencies: deps are the caller's
  useEffect(() => {
    let live = true;
    setState((s) => ({ ...s, loading: true }));
    loadRef.current().then(
      (data) => live && setState({ data, loading: false }),
      (error: unknown) =>
        live &&
        setState({
          loading: false,
          error: error instanceof ProblemError ? error : new ProblemError({ status: 0, code: 'INTERNAL' }),
        }),
    );
    return () => {
      live = false;
    };
  }, [...deps, tick]);
  const reload = useCallback(() => setTick((n) => n + 1), []);
  return { data: state.data, error: state.error, loading: state.loading, reload };
}

/** The problem's message in the current language: by its code, never by its title. */
export function useProblemText(): (error: unknown) => string {
  const { t } = useI18n();
  return useCallback(
    (error: unknown) => {
      if (!(error instanceof ProblemError)) return t('error.INTERNAL');
      const key = `error.${error.problem.code}` as MessageKey;
      const text = t(key);
      return text === key ? `${t('error.INTERNAL')} (${error.problem.code})` : text;
    },
    [t],
  );
}

/**
 * Runs a write; a problem is shown as a message, and validation errors go onto the form fields
 * they name (`body.delivery.email` → the field ['delivery', 'email']). The form keeps its values.
 */
export function useSubmit() {
  const { message } = App.useApp();
  const problemText = useProblemText();
  return useCallback(
    async <T>(
      run: () => Promise<T>,
      form?: FormInstance,
      fieldFor?: (path: string[]) => string[] | undefined,
    ) => {
      try {
        return await run();
      } catch (error) {
        message.error(problemText(error));
        if (form && error instanceof ProblemError && error.problem.errors) {
          const fields = error.problem.errors
            .map((e) => {
              const path = e.path.replace(/^body\./, '').split('.');
              return { name: fieldFor?.(path) ?? path, errors: [e.message] };
            })
            .filter((f) => f.name.length > 0);
          form.setFields(fields);
        }
        return undefined;
      }
    },
    [message, problemText],
  );
}
