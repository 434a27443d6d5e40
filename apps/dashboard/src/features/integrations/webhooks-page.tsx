import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { dateTime } from '../../ui/format.ts';
import { useAction } from '../settings/use-action.tsx';
import { type SubscriptionT, webhooksApi } from './integrations-api.ts';

/**
 * Settings → Webhooks: subscriptions to events with their signing secrets (shown once), the delivery
 * log with each attempt's answer, redelivery, test events and switching on/off (docs/integrations.md).
 */
export default function WebhooksPage() {
  const subs = useQuery({ queryKey: ['webhooks'], queryFn: webhooksApi.list });
  const types = useQuery({ queryKey: ['webhook-event-types'], queryFn: webhooksApi.eventTypes });
  const { run, confirmRun, view } = useAction(['webhooks'], ['webhook-deliveries']);
  const [url, setUrl] = useState('');
  const [description, setDescription] = useState('');
  const [events, setEvents] = useState<string[]>(['ticket.created']);
  const [secret, setSecret] = useState<{ url: string; secret: string } | null>(null);
  const [open, setOpen] = useState<number | null>(null);
  return (
    <div className="stack">
      <h2>Webhooks</h2>
      <p className="muted">
        Shopdesk POSTs events to your URLs as JSON, signed the{' '}
        <a href="https://www.standardwebhooks.com/" target="_blank" rel="noreferrer">
          Standard Webhooks
        </a>{' '}
        way (<code>webhook-id</code>, <code>webhook-timestamp</code>, <code>webhook-signature</code>) with
        each subscription's own secret. Failed deliveries are retried for about three hours; a URL that keeps
        failing is switched off.
      </p>
      {view}
      {secret && (
        <div className="card" data-testid="webhook-secret">
          <p>
            Signing secret for <code>{secret.url}</code> — copy it now, it is shown once:
          </p>
          <pre className="codes">{secret.secret}</pre>
        </div>
      )}
      <table className="grid" aria-label="Webhook subscriptions">
        <thead>
          <tr>
            <th>URL</th>
            <th>Events</th>
            <th>State</th>
            <th>Last success</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {(subs.data?.items ?? []).map((s) => (
            <SubscriptionRow
              key={s.id}
              s={s}
              open={open === s.id}
              onToggleLog={() => setOpen(open === s.id ? null : s.id)}
              actions={{
                test: () =>
                  void run(() => webhooksApi.test(s.id), 'Test event queued: see its delivery below'),
                toggle: () =>
                  void run(
                    () => webhooksApi.update(s.id, { active: !s.active }),
                    s.active ? 'Switched off' : 'Switched on',
                  ),
                rotate: () =>
                  void confirmRun(
                    'Make a new signing secret? The old one keeps signing alongside it for 24 hours.',
                    'Rotate secret',
                    async () => {
                      const r = await webhooksApi.rotate(s.id);
                      setSecret({ url: r.url, secret: r.secret });
                    },
                    'Secret rotated',
                  ),
                remove: () =>
                  void confirmRun(
                    `Delete the subscription for ${s.url} and its delivery log?`,
                    'Delete',
                    () => webhooksApi.remove(s.id),
                    'Subscription deleted',
                  ),
              }}
            />
          ))}
        </tbody>
      </table>
      {subs.data && !subs.data.items.length && <p className="muted">No subscriptions yet.</p>}
      <form
        className="card stack"
        aria-label="New webhook subscription"
        onSubmit={(e) => {
          e.preventDefault();
          void run(async () => {
            const r = await webhooksApi.create({ url, description, events: events as never });
            setSecret({ url: r.url, secret: r.secret });
          }, 'Subscription created').then((ok) => {
            if (ok) {
              setUrl('');
              setDescription('');
            }
          });
        }}
      >
        <h3>New subscription</h3>
        <label>
          Endpoint URL
          <input required type="url" value={url} onChange={(e) => setUrl(e.target.value)} />
        </label>
        <label>
          Description
          <input value={description} maxLength={200} onChange={(e) => setDescription(e.target.value)} />
        </label>
        <fieldset>
          <legend>Events</legend>
          {(types.data?.items ?? []).map((t) => (
            <label key={t.type} className="inline" title={t.description}>
              <input
                type="checkbox"
                checked={events.includes(t.type)}
                onChange={(e) =>
                  setEvents(e.target.checked ? [...events, t.type] : events.filter((x) => x !== t.type))
                }
              />{' '}
              {t.type}
            </label>
          ))}
        </fieldset>
        <div className="row">
          <button type="submit" className="primary" disabled={!events.length}>
            Add subscription
          </button>
        </div>
      </form>
    </div>
  );
}

function SubscriptionRow({
  s,
  open,
  onToggleLog,
  actions,
}: {
  s: SubscriptionT;
  open: boolean;
  onToggleLog: () => void;
  actions: { test: () => void; toggle: () => void; rotate: () => void; remove: () => void };
}) {
  return (
    <>
      <tr>
        <td>
          <code>{s.url}</code>
          {s.description && <div className="muted">{s.description}</div>}
        </td>
        <td>{s.events.join(', ')}</td>
        <td>
          {s.active ? (
            <span className="badge">{s.failingSince ? 'on, failing' : 'on'}</span>
          ) : (
            <span className="badge" title={s.disabledReason ?? undefined}>
              off
            </span>
          )}
          {s.disabledReason && <div className="muted">{s.disabledReason}</div>}
        </td>
        <td>{s.lastSuccessAt ? dateTime(s.lastSuccessAt) : 'never'}</td>
        <td className="row">
          <button type="button" onClick={onToggleLog} aria-expanded={open}>
            Deliveries
          </button>
          <button type="button" onClick={actions.test}>
            Send test
          </button>
          <button type="button" onClick={actions.toggle}>
            {s.active ? 'Switch off' : 'Switch on'}
          </button>
          <button type="button" onClick={actions.rotate}>
            Rotate secret
          </button>
          <button type="button" className="danger" onClick={actions.remove}>
            Delete
          </button>
        </td>
      </tr>
      {open && (
        <tr>
          <td colSpan={5}>
            <DeliveryLog subscriptionId={s.id} />
          </td>
        </tr>
      )}
    </>
  );
}

function DeliveryLog({ subscriptionId }: { subscriptionId: number }) {
  const log = useQuery({
    queryKey: ['webhook-deliveries', subscriptionId],
    queryFn: () => webhooksApi.deliveries(subscriptionId),
    refetchInterval: 5000,
  });
  const [shown, setShown] = useState<number | null>(null);
  const { run, view } = useAction(['webhook-deliveries']);
  return (
    <section className="stack" aria-label="Delivery log">
      {view}
      <table className="grid">
        <thead>
          <tr>
            <th>Event</th>
            <th>Status</th>
            <th>Attempts</th>
            <th>Last answer</th>
            <th>Created</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {(log.data?.items ?? []).map((d) => (
            <tr key={d.id}>
              <td>
                <button type="button" className="link" onClick={() => setShown(shown === d.id ? null : d.id)}>
                  {d.eventType}
                </button>
              </td>
              <td>{d.status}</td>
              <td>{d.attempts}</td>
              <td>{d.lastStatus ?? d.lastError ?? '—'}</td>
              <td>{dateTime(d.createdAt)}</td>
              <td>
                {d.status !== 'pending' && (
                  <button
                    type="button"
                    onClick={() => void run(() => webhooksApi.redeliver(d.id), 'Redelivery queued')}
                  >
                    Redeliver
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {log.data && !log.data.items.length && <p className="muted">Nothing delivered yet.</p>}
      {shown && <DeliveryDetail id={shown} />}
    </section>
  );
}

function DeliveryDetail({ id }: { id: number }) {
  const d = useQuery({
    queryKey: ['webhook-deliveries', 'detail', id],
    queryFn: () => webhooksApi.delivery(id),
  });
  if (!d.data) return null;
  return (
    <section className="card stack" aria-label="Delivery detail">
      <h4>
        {d.data.eventType} · <code>{d.data.messageId}</code>
      </h4>
      <pre className="codes">{JSON.stringify(d.data.payload, null, 2)}</pre>
      {d.data.attempts_log.map((a) => (
        <div key={a.id}>
          <strong>
            {dateTime(a.createdAt)} {a.manual ? '(redelivery)' : ''}: {a.responseStatus ?? a.error} in{' '}
            {a.durationMs} ms
          </strong>
          {a.responseBody && <pre className="codes">{a.responseBody}</pre>}
        </div>
      ))}
    </section>
  );
}
