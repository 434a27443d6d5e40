import { useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../../lib/api.ts';
import { Link } from '../../lib/router.tsx';
import { ago } from '../../ui/format.ts';
import { useDirectory } from '../../ui/use-directory.ts';

export default function NotificationsScreen() {
  const qc = useQueryClient();
  const dir = useDirectory();
  const q = useQuery({ queryKey: ['notifications'], queryFn: api.notifications.list });
  const read = async (ids: number[] | 'all') => {
    await api.notifications.read(ids);
    await qc.invalidateQueries({ queryKey: ['notifications'] });
  };
  const items = q.data?.items ?? [];
  const perm = typeof Notification === 'undefined' ? 'unsupported' : Notification.permission;
  return (
    <div className="page">
      <div className="row">
        <h1>Notifications</h1>
        <span className="spacer" />
        {perm === 'default' && (
          <button
            type="button"
            onClick={() =>
              void Notification.requestPermission().then(() =>
                qc.invalidateQueries({ queryKey: ['notifications'] }),
              )
            }
          >
            Enable browser notifications
          </button>
        )}
        <button type="button" onClick={() => void read('all')} disabled={!items.some((n) => !n.readAt)}>
          Mark all read
        </button>
      </div>
      {items.length === 0 && !q.isLoading && <p className="empty-state">No notifications yet.</p>}
      <ul className="notif-list">
        {items.map((n) => {
          const by =
            typeof n.data.by === 'string' ? n.data.by : dir.agentName(Number(n.data.byAgentId ?? 0) || null);
          const what =
            n.type === 'mention'
              ? `${by ?? 'A teammate'} mentioned you`
              : n.type === 'assignment'
                ? `${by ?? 'Someone'} assigned you a ticket`
                : n.type;
          return (
            <li key={n.id} className={n.readAt ? 'read' : 'unread'}>
              <Link
                to={n.ticketId ? `/tickets/${n.ticketId}` : '/notifications'}
                onClick={() => !n.readAt && void read([n.id])}
              >
                {what}
                {n.ticketId ? ` on #${n.ticketId}` : ''}
                {typeof n.data.subject === 'string' ? ` — ${n.data.subject}` : ''}
              </Link>{' '}
              <span className="muted small">{ago(n.createdAt)} ago</span>
              {typeof n.data.excerpt === 'string' && <p className="muted small">{n.data.excerpt}</p>}
            </li>
          );
        })}
      </ul>
    </div>
  );
}
