import { createContext, type ReactNode, useCallback, useContext, useMemo, useState } from 'react';
import { type MessageKey, messages } from './messages.ts';

export type Language = 'zh' | 'en';

interface I18n {
  lang: Language;
  setLang(lang: Language): void;
  /** The message in the current language; `{name}` placeholders filled from `values`. */
  t(key: MessageKey, values?: Record<string, string | number>): string;
}

const Context = createContext<I18n | undefined>(undefined);
const STORED = 'console-language';

function initialLanguage(): Language {
  try {
    return localStorage.getItem(STORED) === 'en' ? 'en' : 'zh';
  } catch {
    return 'zh';
  }
}

export function I18nProvider({ children }: { children: ReactNode }) {
  const [lang, setLanguage] = useState<Language>(initialLanguage);
  const setLang = useCallback((next: Language) => {
    setLanguage(next);
    document.documentElement.lang = next === 'zh' ? 'zh-CN' : 'en';
    try {
      localStorage.setItem(STORED, next);
    } catch {
      // Private mode: the choice lasts for this page only.
    }
  }, []);
  const value = useMemo<I18n>(
    () => ({
      lang,
      setLang,
      t(key, values) {
        let text: string = messages[lang][key] ?? key;
        for (const [name, v] of Object.entries(values ?? {})) text = text.replaceAll(`{${name}}`, String(v));
        return text;
      },
    }),
    [lang, setLang],
  );
  return <Context.Provider value={value}>{children}</Context.Provider>;
}

export function useI18n(): I18n {
  const value = useContext(Context);
  if (!value) throw new Error('useI18n outside I18nProvider');
  return value;
}
