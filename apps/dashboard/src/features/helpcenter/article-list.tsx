import { useQuery } from '@tanstack/react-query';
import { atLeast } from '../../lib/roles.ts';
import { Link, navigate, useLocation } from '../../lib/router.tsx';
import { useMe } from '../../lib/session.tsx';
import { type ArticleFilter, hcApi, languageName, nameIn, stateOf, titleOf } from './helpcenter-api.ts';

const FILTER_KEYS = ['categoryId', 'status', 'locale', 'visibility', 'q'] as const;

/** Articles with filters kept in the URL (so a filtered list can be shared and survives a reload). */
export function ArticleList() {
  const me = useMe();
  const { search } = useLocation();
  const filter: ArticleFilter = {};
  for (const k of FILTER_KEYS) {
    const v = search.get(k);
    if (v) filter[k] = v;
  }
  const settings = useQuery({ queryKey: ['hc', 'settings'], queryFn: hcApi.settings });
  const cats = useQuery({ queryKey: ['hc', 'categories'], queryFn: hcApi.categories });
  const list = useQuery({ queryKey: ['hc', 'articles', filter], queryFn: () => hcApi.articles(filter) });
  const gaps = useQuery({ queryKey: ['hc', 'no-results'], queryFn: () => hcApi.noResults(30) });
  const locales = settings.data?.locales ?? [];
  const def = settings.data?.defaultLocale ?? 'en';

  const setFilter = (k: (typeof FILTER_KEYS)[number], v: string) => {
    const next = new URLSearchParams(search);
    if (v) next.set(k, v);
    else next.delete(k);
    const s = next.toString();
    navigate(`/helpcenter${s ? `?${s}` : ''}`, { replace: true });
  };
  const sectionName = (id: number | null) => {
    const s = cats.data?.sections.find((x) => x.id === id);
    if (!s) return 'Unfiled';
    const c = cats.data?.categories.find((x) => x.id === s.categoryId);
    return `${c ? `${nameIn(c.names, def)} › ` : ''}${nameIn(s.names, def)}`;
  };

  return (
    <>
      <div className="list-head">
        <h1>Help center articles</h1>
        <span className="spacer" />
        {settings.data && (
          <a href={settings.data.url} target="_blank" rel="noreferrer" className="small">
            Open the help center ↗
          </a>
        )}
        {atLeast(me.agent.role, 'agent') && (
          <Link to="/helpcenter/articles/new" className="button primary">
            New article
          </Link>
        )}
      </div>
      <form className="hc-filters" aria-label="Filter articles" onSubmit={(e) => e.preventDefault()}>
        <input
          type="search"
          aria-label="Title contains"
          placeholder="Title contains…"
          defaultValue={filter.q ?? ''}
          onChange={(e) => setFilter('q', e.target.value.trim())}
        />
        <select
          aria-label="Category"
          value={filter.categoryId ?? ''}
          onChange={(e) => setFilter('categoryId', e.target.value)}
        >
          <option value="">All categories</option>
          {cats.data?.categories.map((c) => (
            <option key={c.id} value={c.id}>
              {nameIn(c.names, def)}
            </option>
          ))}
        </select>
        <select
          aria-label="Status"
          value={filter.status ?? ''}
          onChange={(e) => setFilter('status', e.target.value)}
        >
          <option value="">Any status</option>
          <option value="published">Published</option>
          <option value="draft">Draft or unpublished changes</option>
        </select>
        <select
          aria-label="Language"
          value={filter.locale ?? ''}
          onChange={(e) => setFilter('locale', e.target.value)}
        >
          <option value="">All languages</option>
          {locales.map((l) => (
            <option key={l} value={l}>
              {languageName(l)}
            </option>
          ))}
        </select>
        <select
          aria-label="Audience"
          value={filter.visibility ?? ''}
          onChange={(e) => setFilter('visibility', e.target.value)}
        >
          <option value="">Shoppers and agents</option>
          <option value="public">Public</option>
          <option value="internal">Internal only</option>
        </select>
      </form>
      {list.isLoading && <p className="loading">Loading…</p>}
      {list.error && (
        <p className="error" role="alert">
          {(list.error as Error).message}
        </p>
      )}
      {list.data && list.data.items.length === 0 && <p className="muted">No articles match.</p>}
      {list.data && list.data.items.length > 0 && (
        <table className="grid hc-articles">
          <thead>
            <tr>
              <th>Title</th>
              <th>Section</th>
              <th>Languages</th>
              <th>Updated</th>
            </tr>
          </thead>
          <tbody>
            {list.data.items.map((a) => (
              <tr key={a.id}>
                <td>
                  <Link to={`/helpcenter/articles/${a.id}`}>{titleOf(a, def)}</Link>
                  {a.visibility === 'internal' && <span className="badge hc-internal">internal</span>}
                  {a.faq && <span className="badge">FAQ</span>}
                </td>
                <td className="small">{sectionName(a.sectionId)}</td>
                <td>
                  {locales.map((l) => {
                    const st = stateOf(a.translations.find((t) => t.locale === l));
                    return (
                      <span key={l} className={`hc-lang ${st.cls}`} title={`${languageName(l)}: ${st.label}`}>
                        {l} <span className="sr">{st.label}</span>
                      </span>
                    );
                  })}
                </td>
                <td className="small muted">{new Date(a.updatedAt).toLocaleString()}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {gaps.data && gaps.data.items.length > 0 && (
        <section className="hc-gaps">
          <h2>Searches without results (30 days)</h2>
          <p className="muted small">
            What shoppers looked for and did not find — candidates for new articles.
          </p>
          <ul>
            {gaps.data.items.slice(0, 10).map((g) => (
              <li key={g.query}>
                “{g.query}” <span className="muted small">×{g.count}</span>
              </li>
            ))}
          </ul>
        </section>
      )}
    </>
  );
}
