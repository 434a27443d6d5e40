import type { MessageT } from '../../lib/api.ts';

const APPS: Record<string, string> = { whatsapp: 'WhatsApp', messenger: 'Messenger', instagram: 'Instagram' };
const LABEL: Record<string, string> = {
  queued: 'Queued for sending',
  retrying: 'Retrying',
  sent: 'Sent',
  delivered: 'Delivered',
  read: 'Read',
  failed: 'Not delivered',
};

/**
 * Under a reply on WhatsApp, Messenger or Instagram: where it stands as the app reports it (sent →
 * delivered → read, refreshed live on `message.delivery_changed`), a failure with Meta's reason in words,
 * and the template it was sent as.
 */
export default function MessagingDelivery({ message: m }: { message: MessageT }) {
  const app = APPS[m.channel];
  if (!app || m.kind !== 'outbound') return null;
  const state = m.deliveryStatus === 'queued' && m.deliveryError ? 'retrying' : (m.deliveryStatus as string);
  const template = (m.channelMeta as { template?: { name?: string; language?: string } }).template;
  return (
    <div className="small" data-testid={`delivery-${m.id}`}>
      <span className={`delivery delivery-${state}`} role="status" aria-label={`${app} delivery`}>
        {LABEL[state] ?? state}
        {(state === 'retrying' || state === 'failed') && m.deliveryError ? `: ${m.deliveryError}` : ''}
      </span>
      {template?.name && (
        <span className="muted">
          {' '}
          · template {template.name} ({template.language})
        </span>
      )}
    </div>
  );
}
