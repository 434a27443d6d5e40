import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Fragment, useState } from 'react';
import { ApiError } from '../../lib/api.ts';
import { useDirectory } from '../../ui/use-directory.ts';
import { type ArticleT, hcApi, languageName } from './helpcenter-api.ts';

const actionLabel: Record<string, string> = {
  created: 'Created',
  saved: 'Draft saved',
  published: 'Published',
  unpublished: 'Unpublished',
  restored: 'Restored',
};

/** Every save, publish and restore of every language; restoring copies a version into the draft. */
export function ArticleHistory({ article, canEdit }: { article: ArticleT; canEdit: boolean }) {
  const qc = useQueryClient();
  const dir = useDirectory();
  const versions = useQuery({
    queryKey: ['hc', 'versions', article.id],
    queryFn: () => hcApi.versions(article.id),
  });
  const [open, setOpen] = useState<number | null>(null);
  const [msg, setMsg] = useState<{ ok: boolean; text: string } | null>(null);
  const restore = async (v: { id: number; version: number; locale: string }) => {
    setMsg(null);
    try {
      const a = await hcApi.restore(article.id, v.id);
      qc.setQueryData(['hc', 'article', a.id], a);
      await qc.invalidateQueries({ queryKey: ['hc', 'versions', a.id] });
      await qc.invalidateQueries({ queryKey: ['hc', 'articles'] });
      setMsg({
        ok: true,
        text: `Version ${v.version} (${languageName(v.locale)}) is the draft again. Publish it to make it live.`,
      });
    } catch (e) {
      setMsg({ ok: false, text: e instanceof ApiError ? e.message : 'Could not restore' });
    }
  };
  return (
    <section aria-label="Version history">
      {msg && (
        <p className={msg.ok ? 'success' : 'error'} role={msg.ok ? 'status' : 'alert'}>
          {msg.text}
        </p>
      )}
      {versions.isLoading && <p className="loading">Loading…</p>}
      <table className="grid hc-history">
        <thead>
          <tr>
            <th>When</th>
            <th>Language</th>
            <th>Version</th>
            <th>What</th>
            <th>Title</th>
            <th>By</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {versions.data?.items.map((v) => (
            <Fragment key={v.id}>
              <tr data-version={v.version} data-locale={v.locale}>
                <td className="small">{new Date(v.createdAt).toLocaleString()}</td>
                <td>{languageName(v.locale)}</td>
                <td>v{v.version}</td>
                <td>{actionLabel[v.action] ?? v.action}</td>
                <td>{v.title}</td>
                <td className="small">{dir.agentName(v.agentId) ?? '—'}</td>
                <td className="row">
                  <button type="button" className="link" onClick={() => setOpen(open === v.id ? null : v.id)}>
                    {open === v.id ? 'Hide' : 'Show'}
                  </button>
                  {canEdit && (
                    <button
                      type="button"
                      aria-label={`Restore version ${v.version} (${languageName(v.locale)}, ${actionLabel[v.action] ?? v.action})`}
                      onClick={() => void restore(v)}
                    >
                      Restore
                    </button>
                  )}
                </td>
              </tr>
              {open === v.id && (
                <tr>
                  <td colSpan={7}>
                    <pre className="hc-source-md">{v.bodyMd}</pre>
                  </td>
                </tr>
              )}
            </Fragment>
          ))}
        </tbody>
      </table>
    </section>
  );
}
