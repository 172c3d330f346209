import { createRoot } from 'react-dom/client';
import { BrowserRouter } from 'react-router';
import { I18nProvider } from './i18n.tsx';
import { Shell } from './Shell.tsx';

createRoot(document.getElementById('root')!).render(
  <I18nProvider>
    <BrowserRouter>
      <Shell />
    </BrowserRouter>
  </I18nProvider>,
);
