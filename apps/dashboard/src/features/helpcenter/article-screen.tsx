import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { ApiError } from '../../lib/api.ts';
import { atLeast } from '../../lib/roles.ts';
import { Link, navigate, useLocation } from '../../lib/router.tsx';
import { useMe } from '../../lib/session.tsx';
import { useConfirm } from '../../ui/dialog.tsx';
import { ArticleHistory } from './article-history.tsx';
import { ArticleStats } from './article-stats.tsx';
import {
  type ArticleT,
  hcApi,
  languageName,
  nameIn,
  type SettingsT,
  stateOf,
  titleOf,
} from './helpcenter-api.ts';
import { type Draft, TranslationEditor } from './translation-editor.tsx';

const slugify = (s: string) =>
  s
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 80) || 'article';

/** One article: edit (per language), translations side by side, history, stats. `id` null = new. */
export function ArticleScreen({ id, tab }: { id: number | null; tab: string }) {
  const me = useMe();
  const canEdit = atLeast(me.agent.role, 'agent');
  const settings = useQuery({ queryKey: ['hc', 'settings'], queryFn: hcApi.settings });
  const article = useQuery({
    queryKey: ['hc', 'article', id],
    queryFn: () => hcApi.article(id!),
    enabled: id !== null,
  });
  if (!settings.data || (id !== null && !article.data))
    return article.error ? (
      <p className="error" role="alert">
        {(article.error as Error).message}
      </p>
    ) : (
      <p className="loading">Loading…</p>
    );
  const s = settings.data;
  const a = article.data ?? null;
  const tabs: [string, string][] = [
    ['edit', 'Edit'],
    ['translations', 'Translations'],
    ['history', 'History'],
    ['stats', 'Stats'],
  ];
  return (
    <>
      <p className="small">
        <Link to="/helpcenter">← Articles</Link>
      </p>
      <div className="list-head">
        <h1>{a ? titleOf(a, s.defaultLocale) : 'New article'}</h1>
        {a?.visibility === 'internal' && <span className="badge hc-internal">internal</span>}
        <span className="spacer" />
        {a && a.visibility === 'public' && a.translations.some((t) => t.published) && (
          <a href={a.url} target="_blank" rel="noreferrer" className="small">
            View on the help center ↗
          </a>
        )}
      </div>
      {a && (
        <div className="tabs" role="tablist" aria-label="Article">
          {tabs.map(([k, label]) => (
            <Link
              key={k}
              role="tab"
              aria-selected={tab === k}
              to={`/helpcenter/articles/${a.id}${k === 'edit' ? '' : `/${k}`}`}
            >
              {label}
            </Link>
          ))}
        </div>
      )}
      {a && <ArticleSettings article={a} settings={s} canEdit={canEdit} />}
      {tab === 'edit' && <EditTab article={a} settings={s} canEdit={canEdit} />}
      {a && tab === 'translations' && <TranslationsTab article={a} settings={s} canEdit={canEdit} />}
      {a && tab === 'history' && <ArticleHistory article={a} canEdit={canEdit} />}
      {a && tab === 'stats' && <ArticleStats article={a} />}
    </>
  );
}

function EditTab({
  article,
  settings,
  canEdit,
}: {
  article: ArticleT | null;
  settings: SettingsT;
  canEdit: boolean;
}) {
  const { search } = useLocation();
  const qc = useQueryClient();
  const [sectionId, setSectionId] = useState<number | null>(null);
  const [internal, setInternal] = useState(false);
  const cats = useQuery({ queryKey: ['hc', 'categories'], queryFn: hcApi.categories });
  const wanted = search.get('lang');
  const locale =
    wanted && settings.locales.includes(wanted)
      ? wanted
      : (article?.translations.find((t) => t.locale === settings.defaultLocale)?.locale ??
        article?.translations[0]?.locale ??
        settings.defaultLocale);
  const t = article?.translations.find((x) => x.locale === locale);

  const create = async (d: Draft) => {
    const a = await hcApi.createArticle({
      slug: `${slugify(d.title)}-${Date.now().toString(36).slice(-4)}`,
      sectionId,
      visibility: internal ? 'internal' : 'public',
      locale,
      ...d,
    });
    qc.setQueryData(['hc', 'article', a.id], a);
    await qc.invalidateQueries({ queryKey: ['hc', 'articles'] });
    navigate(`/helpcenter/articles/${a.id}`, { replace: true });
    return a;
  };

  return (
    <>
      {article && settings.locales.length > 1 && (
        <fieldset className="hc-langs">
          <legend className="sr">Language</legend>
          {settings.locales.map((l) => {
            const st = stateOf(article.translations.find((x) => x.locale === l));
            return (
              <Link
                key={l}
                to={`/helpcenter/articles/${article.id}?lang=${l}`}
                className={`hc-lang ${st.cls}${l === locale ? ' active' : ''}`}
                aria-current={l === locale ? 'true' : undefined}
              >
                {languageName(l)} <span className="small">({st.label})</span>
              </Link>
            );
          })}
        </fieldset>
      )}
      {!article && (
        <div className="row hc-new-settings">
          <label className="inline">
            Section
            <select
              value={sectionId ?? ''}
              onChange={(e) => setSectionId(e.target.value ? Number(e.target.value) : null)}
            >
              <option value="">Unfiled</option>
              {cats.data?.sections.map((s) => (
                <option key={s.id} value={s.id}>
                  {nameIn(
                    cats.data.categories.find((c) => c.id === s.categoryId)?.names ?? {},
                    settings.defaultLocale,
                  )}{' '}
                  › {nameIn(s.names, settings.defaultLocale)}
                </option>
              ))}
            </select>
          </label>
          <label className="inline">
            <input type="checkbox" checked={internal} onChange={(e) => setInternal(e.target.checked)} />{' '}
            Internal only (agents)
          </label>
        </div>
      )}
      {article && !t && (
        <p className="notice">
          There is no {languageName(locale)} version yet. Write it below, or use{' '}
          <Link to={`/helpcenter/articles/${article.id}/translations?to=${locale}`}>Translations</Link> to see
          the original beside it.
        </p>
      )}
      <TranslationEditor
        key={`${article?.id ?? 'new'}-${locale}`}
        article={article}
        locale={locale}
        translation={t}
        canEdit={canEdit}
        onCreate={create}
      />
    </>
  );
}

/** Section, visibility (internal-only) and FAQ flag of an existing article. */
function ArticleSettings({
  article,
  settings,
  canEdit,
}: {
  article: ArticleT;
  settings: SettingsT;
  canEdit: boolean;
}) {
  const qc = useQueryClient();
  const cats = useQuery({ queryKey: ['hc', 'categories'], queryFn: hcApi.categories });
  const [err, setErr] = useState<string | null>(null);
  const seq = useRef(0);
  const me = useMe();
  const [ask, askDialog] = useConfirm();
  const update = async (b: Parameters<typeof hcApi.updateArticle>[1]) => {
    setErr(null);
    const key = ['hc', 'article', article.id];
    // Optimistic: the checkbox or select shows the new value at once and goes back if the server says no.
    // Only the latest change's answer is applied, so a quick toggle back is not undone by a late reply.
    const mine = ++seq.current;
    // A refetch already in flight (the article went stale, the window regained focus) would land with
    // the old value and flip the control back: it is dropped, keeping the optimistic value.
    void qc.cancelQueries({ queryKey: key }, { revert: false, silent: true });
    qc.setQueryData(key, { ...article, ...b });
    try {
      const a = await hcApi.updateArticle(article.id, b);
      if (mine === seq.current) qc.setQueryData(key, a);
      await qc.invalidateQueries({ queryKey: ['hc', 'articles'] });
    } catch (e) {
      if (mine === seq.current) qc.setQueryData(key, article);
      setErr(e instanceof ApiError ? e.message : 'Could not change the article');
    }
  };
  const remove = async () => {
    if (!(await ask('Delete this article with all its languages and history?', { confirmLabel: 'Delete' })))
      return;
    try {
      await hcApi.deleteArticle(article.id);
      await qc.invalidateQueries({ queryKey: ['hc', 'articles'] });
      navigate('/helpcenter');
    } catch (e) {
      setErr(e instanceof ApiError ? e.message : 'Could not delete the article');
    }
  };
  const def = settings.defaultLocale;
  return (
    <section className="row hc-article-settings" aria-label="Article settings">
      {askDialog}
      <label className="inline">
        Section
        <select
          disabled={!canEdit}
          value={article.sectionId ?? ''}
          onChange={(e) => void update({ sectionId: e.target.value ? Number(e.target.value) : null })}
        >
          <option value="">Unfiled</option>
          {cats.data?.sections.map((s) => (
            <option key={s.id} value={s.id}>
              {nameIn(cats.data.categories.find((c) => c.id === s.categoryId)?.names ?? {}, def)} ›{' '}
              {nameIn(s.names, def)}
            </option>
          ))}
        </select>
      </label>
      <Switch
        label="Internal only (agents)"
        disabled={!canEdit}
        value={article.visibility === 'internal'}
        onChange={(on) => void update({ visibility: on ? 'internal' : 'public' })}
      />
      <Switch
        label="FAQ"
        disabled={!canEdit}
        value={article.faq}
        onChange={(on) => void update({ faq: on })}
      />
      <SlugField slug={article.slug} canEdit={canEdit} onSave={(slug) => update({ slug })} />
      <span className="spacer" />
      {atLeast(me.agent.role, 'lead') && (
        <button type="button" className="link danger" onClick={() => void remove()}>
          Delete article
        </button>
      )}
      {err && (
        <p className="error" role="alert">
          {err}
        </p>
      )}
    </section>
  );
}

/** The article's address in the help center; changing it is explicit, since old links stop working. */
/**
 * A checkbox that shows the click at once. The optimistic cache write re-renders only after the query
 * client's next tick, and until then React puts a controlled checkbox back — on a busy machine long
 * enough for the click to look ignored. The value follows the article whenever it changes (server
 * answer, or the revert after a refusal).
 */
function Switch({
  label,
  value,
  disabled,
  onChange,
}: {
  label: string;
  value: boolean;
  disabled: boolean;
  onChange: (on: boolean) => void;
}) {
  const [on, setOn] = useState(value);
  useEffect(() => setOn(value), [value]);
  return (
    <label className="inline">
      <input
        type="checkbox"
        disabled={disabled}
        checked={on}
        onChange={(e) => {
          setOn(e.target.checked);
          onChange(e.target.checked);
        }}
      />{' '}
      {label}
    </label>
  );
}

function SlugField({
  slug,
  canEdit,
  onSave,
}: {
  slug: string;
  canEdit: boolean;
  onSave: (slug: string) => Promise<void>;
}) {
  const [draft, setDraft] = useState<string | null>(null);
  if (draft === null)
    return (
      <span className="muted small">
        /{slug}{' '}
        {canEdit && (
          <button type="button" className="link" onClick={() => setDraft(slug)}>
            Change address
          </button>
        )}
      </span>
    );
  return (
    <form
      className="inline"
      onSubmit={(e) => {
        e.preventDefault();
        const next = draft.trim();
        setDraft(null);
        if (next && next !== slug) void onSave(next);
      }}
    >
      <label className="inline small">
        Address
        <input
          aria-label="Article address"
          value={draft}
          size={24}
          onChange={(e) => setDraft(e.target.value)}
        />
      </label>
      <button type="submit">Save address</button>
      <button type="button" className="link" onClick={() => setDraft(null)}>
        Cancel
      </button>
    </form>
  );
}

/** Source language on the left (read-only, rendered), the translation being written on the right. */
function TranslationsTab({
  article,
  settings,
  canEdit,
}: {
  article: ArticleT;
  settings: SettingsT;
  canEdit: boolean;
}) {
  const canDelete = atLeast(useMe().agent.role, 'lead');
  const { search } = useLocation();
  const have = article.translations.map((t) => t.locale);
  const from =
    search.get('from') && have.includes(search.get('from')!)
      ? search.get('from')!
      : have.includes(settings.defaultLocale)
        ? settings.defaultLocale
        : have[0]!;
  const others = settings.locales.filter((l) => l !== from);
  const to = search.get('to') && others.includes(search.get('to')!) ? search.get('to')! : (others[0] ?? null);
  const go = (f: string, t: string | null) =>
    navigate(`/helpcenter/articles/${article.id}/translations?from=${f}${t ? `&to=${t}` : ''}`, {
      replace: true,
    });
  const src = article.translations.find((t) => t.locale === from)!;
  const target = to ? article.translations.find((t) => t.locale === to) : undefined;
  const [creating, setCreating] = useState<string | null>(null);
  const [deleted, setDeleted] = useState<string | null>(null);
  if (!to)
    return (
      <p className="muted">
        The help center has one language. Add languages in its settings to translate articles.
      </p>
    );
  return (
    <>
      <div className="row">
        <label className="inline">
          Original
          <select aria-label="Original language" value={from} onChange={(e) => go(e.target.value, to)}>
            {have.map((l) => (
              <option key={l} value={l}>
                {languageName(l)}
              </option>
            ))}
          </select>
        </label>
        <label className="inline">
          Translation
          <select aria-label="Translation language" value={to} onChange={(e) => go(from, e.target.value)}>
            {others.map((l) => (
              <option key={l} value={l}>
                {languageName(l)} — {stateOf(article.translations.find((t) => t.locale === l)).label}
              </option>
            ))}
          </select>
        </label>
      </div>
      {deleted && (
        <p className="success" role="status">
          {deleted}
        </p>
      )}
      <div className="hc-side-by-side">
        <section aria-label={`Original (${languageName(from)})`} className="hc-source">
          <h2>
            {languageName(from)} <span className={`hc-state ${stateOf(src).cls}`}>{stateOf(src).label}</span>
          </h2>
          <p>
            <strong>{src.title}</strong>
          </p>
          {src.summary && <p className="muted">{src.summary}</p>}
          <pre className="hc-source-md">{src.bodyMd}</pre>
        </section>
        <section aria-label={`Translation (${languageName(to)})`}>
          {!target && creating !== to ? (
            <div className="empty-state">
              <p>There is no {languageName(to)} version of this article yet.</p>
              {canEdit && (
                <button type="button" className="primary" onClick={() => setCreating(to)}>
                  Create {languageName(to)} version
                </button>
              )}
            </div>
          ) : (
            <TranslationEditor
              key={`${article.id}-${to}`}
              article={article}
              locale={to}
              translation={target}
              initial={{ title: src.title, bodyMd: src.bodyMd, summary: src.summary, keywords: '' }}
              canEdit={canEdit}
              layout="stacked"
              canDelete={canDelete}
              onDeleted={(m) => {
                setCreating(null);
                setDeleted(m);
              }}
            />
          )}
        </section>
      </div>
    </>
  );
}
