import { useInfiniteQuery } from '@tanstack/react-query';
import { api } from '../../lib/api.ts';
import { dateTime } from '../../ui/format.ts';
import { useDirectory } from '../../ui/use-directory.ts';

export default function AuditPage() {
  const dir = useDirectory();
  const q = useInfiniteQuery({
    queryKey: ['audit-log'],
    queryFn: ({ pageParam }) => api.auditLog(pageParam),
    initialPageParam: undefined as number | undefined,
    getNextPageParam: (last) =>
      last.items.length === 100 ? last.items[last.items.length - 1]!.id : undefined,
  });
  const items = q.data?.pages.flatMap((p) => p.items) ?? [];
  return (
    <div className="stack">
      <h2>Audit log</h2>
      <table className="grid">
        <thead>
          <tr>
            <th>When</th>
            <th>Who</th>
            <th>Action</th>
            <th>Target</th>
            <th>Details</th>
            <th>IP</th>
          </tr>
        </thead>
        <tbody>
          {items.map((e) => (
            <tr key={e.id}>
              <td>{dateTime(e.createdAt)}</td>
              <td>{dir.agentName(e.actorAgentId) ?? 'system'}</td>
              <td>
                <code>{e.action}</code>
              </td>
              <td>{e.targetType ? `${e.targetType} ${e.targetId ?? ''}` : ''}</td>
              <td className="small">{Object.keys(e.data).length ? JSON.stringify(e.data) : ''}</td>
              <td className="small">{e.ip}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {q.hasNextPage && (
        <button type="button" onClick={() => void q.fetchNextPage()}>
          Load older entries
        </button>
      )}
    </div>
  );
}
