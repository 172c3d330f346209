import {
  App as AntApp,
  Button,
  ConfigProvider,
  Layout,
  Menu,
  Segmented,
  Space,
  Spin,
  Typography,
} from 'antd';
import enUS from 'antd/locale/en_US';
import zhCN from 'antd/locale/zh_CN';
import { lazy, type ReactNode, Suspense, useEffect, useState } from 'react';
import { Navigate, Route, Routes, useLocation, useNavigate } from 'react-router';
import { currentSession, isFinance, onSessionChange, type Session, signOut } from './auth.ts';
import { useI18n } from './i18n.tsx';
import type { MessageKey } from './messages.ts';

// Each page is its own chunk: the first load carries the shell and the sign-in page only.
const Overview = lazy(() => import('./pages/customer/Overview.tsx'));
const Apply = lazy(() => import('./pages/customer/Apply.tsx'));
const Applications = lazy(() => import('./pages/customer/Applications.tsx'));
const ApplicationDetail = lazy(() => import('./pages/customer/ApplicationDetail.tsx'));
const Invoices = lazy(() => import('./pages/customer/Invoices.tsx'));
const InvoiceDetail = lazy(() => import('./pages/customer/InvoiceDetail.tsx'));
const Organization = lazy(() => import('./pages/customer/Organization.tsx'));
const Titles = lazy(() => import('./pages/customer/Titles.tsx'));
const Addresses = lazy(() => import('./pages/customer/Addresses.tsx'));
const AutoInvoicing = lazy(() => import('./pages/customer/AutoInvoicing.tsx'));
const Reviews = lazy(() => import('./pages/finance/Reviews.tsx'));
const InvoiceDesk = lazy(() => import('./pages/finance/InvoiceDesk.tsx'));
const CopyRequests = lazy(() => import('./pages/finance/CopyRequests.tsx'));
const PaperStock = lazy(() => import('./pages/finance/PaperStock.tsx'));
const MonthlyRun = lazy(() => import('./pages/finance/MonthlyRun.tsx'));
const AuditVerify = lazy(() => import('./pages/finance/AuditVerify.tsx'));
const ApiReference = lazy(() => import('./pages/ApiReference.tsx'));
const Callback = lazy(() => import('./pages/Callback.tsx'));
const SignIn = lazy(() => import('./pages/SignIn.tsx'));
const Status = lazy(() => import('./pages/Status.tsx'));

const CUSTOMER_MENU: [string, MessageKey][] = [
  ['/overview', 'nav.overview'],
  ['/apply', 'nav.apply'],
  ['/applications', 'nav.applications'],
  ['/invoices', 'nav.invoices'],
  ['/titles', 'nav.titles'],
  ['/addresses', 'nav.addresses'],
  ['/auto-invoicing', 'nav.autoInvoicing'],
  ['/api-reference', 'nav.apiReference'],
];
const FINANCE_MENU: [string, MessageKey][] = [
  ['/finance/reviews', 'nav.reviews'],
  ['/finance/invoices', 'nav.invoiceDesk'],
  ['/finance/copy-requests', 'nav.copyRequests'],
  ['/finance/paper-stock', 'nav.paperStock'],
  ['/finance/monthly-runs', 'nav.monthlyRuns'],
  ['/finance/audit', 'nav.audit'],
  ['/api-reference', 'nav.apiReference'],
];

/**
 * The providers' orange, darkened until white text on it and it on white reach WCAG AA (4.5:1), and
 * secondary text dark enough for the same (axe-core checks every page in test/browser).
 */
const THEME = {
  token: {
    colorPrimary: '#c2410c',
    colorLink: '#c2410c',
    colorError: '#cf1322',
    colorTextSecondary: 'rgba(0, 0, 0, 0.66)',
    colorTextTertiary: 'rgba(0, 0, 0, 0.62)',
    colorTextDescription: 'rgba(0, 0, 0, 0.62)',
    colorTextPlaceholder: 'rgba(0, 0, 0, 0.6)',
    colorTextDisabled: 'rgba(0, 0, 0, 0.6)',
  },
};

function useSession(): Session | undefined {
  const [session, setSession] = useState(currentSession);
  useEffect(() => onSessionChange(() => setSession(currentSession())), []);
  return session;
}

export function Shell() {
  const { lang } = useI18n();
  return (
    <ConfigProvider locale={lang === 'zh' ? zhCN : enUS} theme={THEME}>
      <AntApp>
        <Frame />
      </AntApp>
    </ConfigProvider>
  );
}

function Frame() {
  const { t, lang, setLang } = useI18n();
  const session = useSession();
  const location = useLocation();
  const navigate = useNavigate();
  const finance = isFinance(session);
  const orgAdmin = session?.groups.includes('org-admin') ?? false;
  const menu: [string, MessageKey][] = finance
    ? FINANCE_MENU
    : orgAdmin
      ? [...CUSTOMER_MENU.slice(0, 3), ['/organization', 'nav.organization'], ...CUSTOMER_MENU.slice(3)]
      : CUSTOMER_MENU;
  const selected = menu.find(([path]) => location.pathname.startsWith(path))?.[0];

  const guard = (page: ReactNode, forFinance: boolean) => {
    if (!session) return <Navigate to="/sign-in" replace state={{ from: location.pathname }} />;
    if (forFinance !== finance) return <Status code={403} />;
    return page;
  };

  return (
    <Layout style={{ minHeight: '100vh' }}>
      <Layout.Header style={{ display: 'flex', alignItems: 'center', gap: 16, background: '#fff' }}>
        <Typography.Title level={1} style={{ margin: 0, fontSize: 18, whiteSpace: 'nowrap' }}>
          {t(finance ? 'app.financeTitle' : 'app.title')}
        </Typography.Title>
        <div style={{ flex: 1 }} />
        <Space>
          <Segmented
            aria-label={t('app.language')}
            value={lang}
            onChange={(value) => setLang(value as 'zh' | 'en')}
            options={[
              { label: '中文', value: 'zh' },
              { label: 'English', value: 'en' },
            ]}
          />
          {session && (
            <>
              <Typography.Text data-testid="signed-in-as">{session.accountId}</Typography.Text>
              <Button
                onClick={() => {
                  void signOut();
                  navigate('/sign-in');
                }}
              >
                {t('app.signOut')}
              </Button>
            </>
          )}
        </Space>
      </Layout.Header>
      <Layout>
        {session && (
          <Layout.Sider width={200} theme="light">
            <nav aria-label={t('app.navigation')}>
              <Menu
                mode="inline"
                selectedKeys={selected ? [selected] : []}
                items={menu.map(([path, key]) => ({ key: path, label: t(key) }))}
                onClick={({ key }) => navigate(key)}
              />
            </nav>
          </Layout.Sider>
        )}
        <Layout.Content style={{ padding: 24 }}>
          <main>
            <Suspense fallback={<Spin />}>
              <Routes>
                <Route path="/sign-in" element={<SignIn />} />
                <Route path="/callback" element={<Callback />} />
                <Route
                  path="/"
                  element={
                    <Navigate
                      to={session ? (finance ? '/finance/reviews' : '/overview') : '/sign-in'}
                      replace
                    />
                  }
                />
                <Route path="/overview" element={guard(<Overview />, false)} />
                <Route path="/apply" element={guard(<Apply />, false)} />
                <Route path="/applications" element={guard(<Applications />, false)} />
                <Route path="/applications/:applicationId" element={guard(<ApplicationDetail />, false)} />
                <Route path="/invoices" element={guard(<Invoices />, false)} />
                <Route path="/invoices/:invoiceId" element={guard(<InvoiceDetail />, false)} />
                <Route path="/titles" element={guard(<Titles />, false)} />
                <Route path="/addresses" element={guard(<Addresses />, false)} />
                <Route path="/auto-invoicing" element={guard(<AutoInvoicing />, false)} />
                <Route
                  path="/organization"
                  element={guard(orgAdmin ? <Organization /> : <Status code={403} />, false)}
                />
                <Route path="/finance/reviews" element={guard(<Reviews />, true)} />
                <Route path="/finance/invoices" element={guard(<InvoiceDesk />, true)} />
                <Route path="/finance/copy-requests" element={guard(<CopyRequests />, true)} />
                <Route path="/finance/paper-stock" element={guard(<PaperStock />, true)} />
                <Route path="/finance/monthly-runs" element={guard(<MonthlyRun />, true)} />
                <Route path="/finance/audit" element={guard(<AuditVerify />, true)} />
                <Route
                  path="/api-reference"
                  element={session ? <ApiReference /> : <Navigate to="/sign-in" replace />}
                />
                <Route path="*" element={<Status code={404} />} />
              </Routes>
            </Suspense>
          </main>
        </Layout.Content>
      </Layout>
    </Layout>
  );
}
