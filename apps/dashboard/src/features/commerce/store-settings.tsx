import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useMe } from '../../lib/session.tsx';
import { useConfirm } from '../../ui/dialog.tsx';
import { useAction } from '../settings/use-action.tsx';
import { commerceApi, type StoreConnectionT } from './commerce-api.ts';

/** Store connections: Shopify, WooCommerce or the built-in store API; sync status and last errors. */
export default function StoreSettings() {
  const me = useMe();
  const admin = me.agent.role === 'admin';
  const list = useQuery({
    queryKey: ['commerce', 'connections'],
    queryFn: commerceApi.connections,
    refetchInterval: 10_000,
  });
  const { run, view } = useAction(['commerce', 'connections']);
  const [token, setToken] = useState<string | null>(null);
  return (
    <div className="stack">
      <h2>Store connections</h2>
      {view}
      {token && (
        <p className="notice" role="status">
          Built-in store API token (shown once): <code>{token}</code>
        </p>
      )}
      {list.data?.length === 0 && <p className="muted">No store connected yet.</p>}
      {list.data?.map((c) => (
        <Connection key={c.id} c={c} admin={admin} run={run} onToken={setToken} />
      ))}
      {admin && <NewConnection run={run} onToken={setToken} />}
    </div>
  );
}

function Connection({
  c,
  admin,
  run,
  onToken,
}: {
  c: StoreConnectionT;
  admin: boolean;
  run: ReturnType<typeof useAction>['run'];
  onToken: (t: string) => void;
}) {
  const [ask, askDialog] = useConfirm();
  return (
    <section className="card" data-testid={`store-${c.id}`}>
      {askDialog}
      <h3>
        {c.name}{' '}
        <span className="muted small">
          ({c.platform}
          {c.baseUrl ? ` · ${c.baseUrl}` : ''})
        </span>
      </h3>
      <p className="small">
        {c.active ? 'Active' : 'Switched off'} · {c.orderCount} orders · sync {c.syncStatus}
        {c.syncStatus === 'backfilling' ? ` (${c.backfilledOrders} imported)` : ''}
        {c.lastSyncAt ? ` · last sync ${new Date(c.lastSyncAt).toLocaleString()}` : ''}
        {c.lastWebhookAt ? ` · last webhook ${new Date(c.lastWebhookAt).toLocaleString()}` : ''}
        {c.pendingEvents ? ` · ${c.pendingEvents} webhooks waiting` : ''}
      </p>
      {c.webhookUrl && (
        <p className="small">
          Webhook URL: <code>{c.webhookUrl}</code>
        </p>
      )}
      {c.tokenPrefix && (
        <p className="small">
          API token: <code>{c.tokenPrefix}…</code> — push to <code>POST /api/v1/store/batch</code>
        </p>
      )}
      {c.lastError && (
        <p className="error small" role="alert">
          Last error{c.lastErrorAt ? ` (${new Date(c.lastErrorAt).toLocaleString()})` : ''}: {c.lastError}
        </p>
      )}
      {c.failedEvents.map((e) => (
        <p key={e.id} className="error small">
          Webhook #{e.id}: {e.error}
        </p>
      ))}
      {admin && (
        <div className="row">
          {c.platform !== 'builtin' && (
            <button
              type="button"
              onClick={() => void run(() => commerceApi.backfill(c.id), 'Import started')}
            >
              Import orders
            </button>
          )}
          {c.platform === 'builtin' && (
            <button
              type="button"
              onClick={() =>
                void run(
                  async () => onToken((await commerceApi.rotateToken(c.id)).token ?? ''),
                  'New token created',
                )
              }
            >
              New API token
            </button>
          )}
          <button
            type="button"
            onClick={() => void run(() => commerceApi.updateConnection(c.id, { active: !c.active }), 'Saved')}
          >
            {c.active ? 'Switch off' : 'Switch on'}
          </button>
          <button
            type="button"
            className="danger"
            onClick={async () => {
              if (await ask(`Remove ${c.name} and its synced orders?`, { confirmLabel: 'Remove' }))
                void run(() => commerceApi.deleteConnection(c.id), 'Removed');
            }}
          >
            Remove
          </button>
        </div>
      )}
    </section>
  );
}

function NewConnection({
  run,
  onToken,
}: {
  run: ReturnType<typeof useAction>['run'];
  onToken: (t: string) => void;
}) {
  const [platform, setPlatform] = useState<'builtin' | 'shopify' | 'woocommerce'>('shopify');
  const [f, setF] = useState<Record<string, string>>({ currency: 'EUR' });
  const field = (name: string, label: string, type = 'text') => (
    <label key={name}>
      {label}{' '}
      <input
        type={type}
        value={f[name] ?? ''}
        onChange={(e) => setF({ ...f, [name]: e.target.value })}
        autoComplete="off"
      />
    </label>
  );
  return (
    <form
      className="card stack"
      onSubmit={(e) => {
        e.preventDefault();
        void run(async () => {
          const created = await commerceApi.createConnection({
            platform,
            ...f,
            ...(f.name ? {} : { name: undefined }),
          });
          if (created.token) onToken(created.token);
          setF({ currency: f.currency ?? 'EUR' });
        }, 'Store connected');
      }}
    >
      <h3>Connect a store</h3>
      <label>
        Platform{' '}
        <select value={platform} onChange={(e) => setPlatform(e.target.value as typeof platform)}>
          <option value="shopify">Shopify</option>
          <option value="woocommerce">WooCommerce</option>
          <option value="builtin">Built-in store API (any platform pushes to Shopdesk)</option>
        </select>
      </label>
      {field('name', 'Name')}
      {platform === 'shopify' && [
        field('shopDomain', 'Shop domain (my-shop.myshopify.com)'),
        field('accessToken', 'Admin API access token', 'password'),
        field('webhookSecret', 'API secret key (verifies webhooks)', 'password'),
      ]}
      {platform === 'woocommerce' && [
        field('url', 'Site URL (https://…)'),
        field('consumerKey', 'Consumer key', 'password'),
        field('consumerSecret', 'Consumer secret', 'password'),
        field('webhookSecret', 'Webhook secret', 'password'),
      ]}
      {field('currency', 'Currency (ISO code)')}
      <button type="submit" className="primary">
        Connect
      </button>
    </form>
  );
}
