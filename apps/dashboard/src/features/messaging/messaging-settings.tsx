import type { ChannelAccountView } from '@shopdesk/contracts';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { api } from '../../lib/api.ts';
import { useLocation } from '../../lib/router.tsx';
import { dateTime } from '../../ui/format.ts';
import { useAction } from '../settings/use-action.tsx';

type App = 'whatsapp' | 'messenger' | 'instagram';
const LABEL: Record<App, string> = { whatsapp: 'WhatsApp', messenger: 'Messenger', instagram: 'Instagram' };

/** The settings fields each app needs (the server checks them against its schema). */
const FIELDS: Record<App, { key: string; label: string; hint: string }[]> = {
  whatsapp: [
    {
      key: 'phoneNumberId',
      label: 'Phone number id',
      hint: 'WhatsApp Manager → API setup (digits, not the number)',
    },
    {
      key: 'businessAccountId',
      label: 'WhatsApp Business Account id',
      hint: 'Its approved templates are offered after 24 hours',
    },
    { key: 'displayPhoneNumber', label: 'Number shown to agents', hint: 'e.g. +1 555 010 0199' },
  ],
  messenger: [
    { key: 'pageId', label: 'Facebook Page id', hint: 'Page → About → Page transparency' },
    { key: 'pageName', label: 'Page name', hint: 'Shown to agents' },
  ],
  instagram: [
    {
      key: 'pageId',
      label: 'Instagram professional account id',
      hint: 'The id Meta shows for the connected account',
    },
    { key: 'pageName', label: 'Account name', hint: 'e.g. @yourshop' },
  ],
};

const accountsOf = (app: App) => api.get<{ items: ChannelAccountView[] }>(`/api/v1/channels/${app}/accounts`);

/** Connect and manage the shop's WhatsApp number, Facebook Page or Instagram account. */
export default function MessagingSettings() {
  const { path: pathname } = useLocation();
  const app =
    (['whatsapp', 'messenger', 'instagram'] as const).find((a) => pathname.endsWith(`/${a}`)) ?? 'whatsapp';
  const label = LABEL[app];
  const accounts = useQuery({ queryKey: ['channel-accounts', app], queryFn: () => accountsOf(app) });
  const { run, confirmRun, view } = useAction(['channel-accounts', app]);
  const empty = { name: '', accessToken: '', appSecret: '', verifyToken: '', humanAgentTag: false } as Record<
    string,
    string | boolean
  >;
  const [form, setForm] = useState<Record<string, string | boolean>>(empty);
  const set = (k: string, v: string | boolean) => setForm((f) => ({ ...f, [k]: v }));
  const text = (k: string) => String(form[k] ?? '');

  const connect = () =>
    run(async () => {
      const settings: Record<string, unknown> = {};
      for (const f of FIELDS[app]) if (text(f.key).trim()) settings[f.key] = text(f.key).trim();
      if (app !== 'whatsapp') settings.humanAgentTag = !!form.humanAgentTag;
      await api.post(`/api/v1/channels/${app}/accounts`, {
        name: text('name').trim() || label,
        settings,
        secrets: {
          accessToken: text('accessToken'),
          appSecret: text('appSecret'),
          verifyToken: text('verifyToken'),
        },
      });
      setForm(empty);
    }, `${label} connected: paste the webhook URL and verify token into Meta's dashboard`);

  return (
    <div className="stack">
      <h2>{label}</h2>
      <p className="muted">
        {label} messages land in the inbox beside email and chat. Replies follow {label}'s rules: free text up
        to 24 hours after the customer's last message
        {app === 'whatsapp'
          ? ', approved templates after that'
          : ', up to 7 days with the Human agent tag if Meta granted it to your app'}
        . Tokens are encrypted and never shown again.
      </p>
      {view}
      {(accounts.data?.items ?? []).map((a) => (
        <section key={a.id} className="card stack" aria-label={`${label} account ${a.name}`}>
          <h3>
            {a.name} <span className="muted small">{a.address}</span>{' '}
            <span className={a.active ? 'success small' : 'muted small'}>
              {a.active ? 'active' : 'switched off'}
            </span>
          </h3>
          <p className="small">
            Webhook URL (Meta → Webhooks → callback URL): <code>{a.webhooks.webhook}</code>
          </p>
          <p className="small muted">
            Secrets set:{' '}
            {a.secretsSet.length ? a.secretsSet.join(', ') : 'none — the account cannot send or verify'}. Last
            message: {a.lastInboundAt ? dateTime(a.lastInboundAt) : 'none yet'}.
            {a.pendingDeliveries > 0 &&
              ` ${a.pendingDeliveries} deliveries waiting (${a.failingDeliveries} failing).`}
          </p>
          {a.lastError && (
            <p className="error small" role="alert">
              Last error{a.lastErrorAt ? ` (${dateTime(a.lastErrorAt)})` : ''}: {a.lastError}
            </p>
          )}
          <div className="row">
            <button
              type="button"
              onClick={() =>
                void run(
                  () => api.patch(`/api/v1/channels/${app}/accounts/${a.id}`, { active: !a.active }),
                  a.active ? `${a.name} switched off` : `${a.name} switched on`,
                )
              }
            >
              {a.active ? 'Switch off' : 'Switch on'}
            </button>
            <button
              type="button"
              className="danger"
              onClick={() =>
                void confirmRun(
                  `Disconnect ${a.name}? Its tickets stay; new ${label} messages are refused.`,
                  'Disconnect',
                  () => api.del(`/api/v1/channels/${app}/accounts/${a.id}`),
                  `${a.name} disconnected`,
                )
              }
            >
              Disconnect
            </button>
          </div>
        </section>
      ))}
      <form
        className="card stack"
        aria-label={`Connect ${label}`}
        onSubmit={(e) => {
          e.preventDefault();
          void connect();
        }}
      >
        <h3>Connect {app === 'whatsapp' ? 'a WhatsApp number' : `a ${label} account`}</h3>
        <label>
          Name in the desk
          <input
            value={text('name')}
            onChange={(e) => set('name', e.target.value)}
            placeholder={`${label} support`}
          />
        </label>
        {FIELDS[app].map((f) => (
          <label key={f.key}>
            {f.label}
            <input value={text(f.key)} onChange={(e) => set(f.key, e.target.value)} />
            <span className="muted small">{f.hint}</span>
          </label>
        ))}
        <label>
          Access token
          <input
            type="password"
            autoComplete="off"
            required
            value={text('accessToken')}
            onChange={(e) => set('accessToken', e.target.value)}
          />
          <span className="muted small">
            {app === 'whatsapp'
              ? 'A system-user token with whatsapp_business_messaging'
              : 'A Page access token'}
          </span>
        </label>
        <label>
          App secret
          <input
            type="password"
            autoComplete="off"
            required
            value={text('appSecret')}
            onChange={(e) => set('appSecret', e.target.value)}
          />
          <span className="muted small">App settings → Basic; every webhook is checked with it</span>
        </label>
        <label>
          Verify token
          <input
            autoComplete="off"
            required
            value={text('verifyToken')}
            onChange={(e) => set('verifyToken', e.target.value)}
          />
          <span className="muted small">
            Any phrase you choose; type the same into Meta's webhook settings
          </span>
        </label>
        {app !== 'whatsapp' && (
          <label className="inline">
            <input
              type="checkbox"
              checked={!!form.humanAgentTag}
              onChange={(e) => set('humanAgentTag', e.target.checked)}
            />
            Reply up to 7 days with the HUMAN_AGENT tag (needs Meta's Human Agent permission)
          </label>
        )}
        <button type="submit" className="primary">
          Connect {label}
        </button>
      </form>
    </div>
  );
}
