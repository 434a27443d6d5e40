import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { ApiError } from '../../lib/api.ts';
import { atLeast } from '../../lib/roles.ts';
import { Link } from '../../lib/router.tsx';
import { useMe } from '../../lib/session.tsx';
import { useConfirm } from '../../ui/dialog.tsx';
import { moved } from '../../ui/list.ts';
import {
  type ArticleT,
  type CategoryT,
  hcApi,
  languageName,
  type Names,
  type SectionT,
} from './helpcenter-api.ts';

const slugify = (s: string) =>
  s
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 80);

/**
 * New positions after moving `items[index]` one step: the whole list is renumbered 10, 20, 30 … so
 * items that never had a position (all 0) get a definite order. Only changed positions are returned.
 */
function newPositions<T extends { id: number; position: number }>(items: T[], index: number, step: -1 | 1) {
  return moved(items, index, step)
    .map((x, i) => ({ id: x.id, position: (i + 1) * 10, before: x.position }))
    .filter((x) => x.position !== x.before);
}

/** ↑/↓ buttons that move one item within its list (the order the help center shows). */
function MoveButtons({
  label,
  index,
  count,
  onMove,
}: {
  label: string;
  index: number;
  count: number;
  onMove: (step: -1 | 1) => void;
}) {
  return (
    <span className="hc-move">
      <button
        type="button"
        className="ghost"
        aria-label={`Move ${label} up`}
        disabled={index === 0}
        onClick={() => onMove(-1)}
      >
        ↑
      </button>
      <button
        type="button"
        className="ghost"
        aria-label={`Move ${label} down`}
        disabled={index === count - 1}
        onClick={() => onMove(1)}
      >
        ↓
      </button>
    </span>
  );
}

/**
 * Categories, their sections and each section's articles, in the order the help center shows them.
 * Names in every help-center language; leads and admins rename, reorder, add and delete.
 */
export function CategoriesPage() {
  const [ask, askDialog] = useConfirm();
  const me = useMe();
  const canEdit = atLeast(me.agent.role, 'lead');
  const qc = useQueryClient();
  const settings = useQuery({ queryKey: ['hc', 'settings'], queryFn: hcApi.settings });
  const cats = useQuery({ queryKey: ['hc', 'categories'], queryFn: hcApi.categories });
  const articles = useQuery({ queryKey: ['hc', 'articles', 'arrange'], queryFn: () => hcApi.articles({}) });
  const [msg, setMsg] = useState<{ ok: boolean; text: string } | null>(null);
  const run = async (fn: () => Promise<unknown>, ok: string) => {
    setMsg(null);
    try {
      await fn();
      setMsg({ ok: true, text: ok });
      await qc.invalidateQueries({ queryKey: ['hc'] });
      return true;
    } catch (e) {
      setMsg({ ok: false, text: e instanceof ApiError ? e.message : 'Something went wrong' });
      return false;
    }
  };
  if (!settings.data || !cats.data) return <p className="loading">Loading…</p>;
  const locales = settings.data.locales;
  const def = settings.data.defaultLocale;
  const nameOf = (x: CategoryT | SectionT) => x.names[def]?.name ?? x.slug;
  const titleOf = (a: ArticleT) =>
    (a.translations.find((t) => t.locale === def) ?? a.translations[0])?.title ?? a.slug;
  const reorder = <T extends { id: number; position: number }>(
    items: T[],
    index: number,
    step: -1 | 1,
    save: (id: number, position: number) => Promise<unknown>,
  ) =>
    run(async () => {
      for (const m of newPositions(items, index, step)) await save(m.id, m.position);
    }, 'Order saved.');
  return (
    <>
      {askDialog}
      <h1>Categories & sections</h1>
      {!canEdit && <p className="muted">Only leads and admins change categories and sections.</p>}
      {msg && (
        <p className={msg.ok ? 'success' : 'error'} role={msg.ok ? 'status' : 'alert'}>
          {msg.text}
        </p>
      )}
      {cats.data.categories.map((c, ci, allCats) => (
        <section
          key={c.id}
          className="card hc-category"
          aria-label={`Category ${c.names[settings.data.defaultLocale]?.name ?? c.slug}`}
        >
          {canEdit && (
            <MoveButtons
              label={`category ${nameOf(c)}`}
              index={ci}
              count={allCats.length}
              onMove={(step) =>
                reorder(allCats, ci, step, (id, position) => hcApi.updateCategory(id, { position }))
              }
            />
          )}
          <NamesForm
            kind="category"
            item={c}
            locales={locales}
            canEdit={canEdit}
            onSave={(names, slug) =>
              run(() => hcApi.updateCategory(c.id, { names, slug }), 'Category saved.')
            }
            onDelete={async () =>
              (await ask('Delete this category and its sections? Their articles become unfiled.', {
                confirmLabel: 'Delete',
              })) && run(() => hcApi.deleteCategory(c.id), 'Category deleted.')
            }
          />
          <ul className="hc-sections">
            {cats.data.sections
              .filter((s) => s.categoryId === c.id)
              .map((s, si, siblings) => (
                <li key={s.id}>
                  {canEdit && (
                    <MoveButtons
                      label={`section ${nameOf(s)}`}
                      index={si}
                      count={siblings.length}
                      onMove={(step) =>
                        reorder(siblings, si, step, (id, position) => hcApi.updateSection(id, { position }))
                      }
                    />
                  )}
                  <NamesForm
                    kind="section"
                    item={s}
                    locales={locales}
                    canEdit={canEdit}
                    onSave={(names, slug) =>
                      run(() => hcApi.updateSection(s.id, { names, slug }), 'Section saved.')
                    }
                    onDelete={async () =>
                      (await ask('Delete this section? Its articles become unfiled.', {
                        confirmLabel: 'Delete',
                      })) && run(() => hcApi.deleteSection(s.id), 'Section deleted.')
                    }
                  />
                  <SectionArticles
                    articles={(articles.data?.items ?? []).filter((a) => a.sectionId === s.id)}
                    sectionName={nameOf(s)}
                    titleOf={titleOf}
                    canEdit={canEdit}
                    onMove={(list, index, step) =>
                      reorder(list, index, step, (id, position) => hcApi.updateArticle(id, { position }))
                    }
                  />
                </li>
              ))}
          </ul>
          {canEdit && (
            <NewItem
              label={`New section in ${c.names[settings.data.defaultLocale]?.name ?? c.slug}`}
              locale={settings.data.defaultLocale}
              onCreate={(name) =>
                run(
                  () =>
                    hcApi.createSection({
                      categoryId: c.id,
                      slug: slugify(name),
                      names: { [settings.data.defaultLocale]: { name } },
                    }),
                  `Section “${name}” created.`,
                )
              }
            />
          )}
        </section>
      ))}
      {canEdit && (
        <NewItem
          label="New category"
          locale={settings.data.defaultLocale}
          onCreate={(name) =>
            run(
              () =>
                hcApi.createCategory({
                  slug: slugify(name),
                  names: { [settings.data.defaultLocale]: { name } },
                }),
              `Category “${name}” created.`,
            )
          }
        />
      )}
    </>
  );
}

/** A section's articles in help-center order (the list API returns them by section, then position). */
function SectionArticles({
  articles,
  sectionName,
  titleOf,
  canEdit,
  onMove,
}: {
  articles: ArticleT[];
  sectionName: string;
  titleOf: (a: ArticleT) => string;
  canEdit: boolean;
  onMove: (list: ArticleT[], index: number, step: -1 | 1) => unknown;
}) {
  if (!articles.length) return <p className="muted small">No articles in this section yet.</p>;
  return (
    <ol className="hc-arrange" aria-label={`Articles in ${sectionName}`}>
      {articles.map((a, i) => (
        <li key={a.id} data-article-id={a.id}>
          {canEdit && (
            <MoveButtons
              label={`article ${titleOf(a)}`}
              index={i}
              count={articles.length}
              onMove={(step) => onMove(articles, i, step)}
            />
          )}
          <Link to={`/helpcenter/articles/${a.id}`}>{titleOf(a)}</Link>
        </li>
      ))}
    </ol>
  );
}

function NamesForm({
  kind,
  item,
  locales,
  canEdit,
  onSave,
  onDelete,
}: {
  kind: 'category' | 'section';
  item: CategoryT | SectionT;
  locales: string[];
  canEdit: boolean;
  onSave: (names: Names, slug: string) => Promise<boolean>;
  onDelete: () => unknown;
}) {
  const [names, setNames] = useState<Record<string, string>>(
    Object.fromEntries(locales.map((l) => [l, item.names[l]?.name ?? ''])),
  );
  const [slug, setSlug] = useState(item.slug);
  const dirty = slug !== item.slug || locales.some((l) => (item.names[l]?.name ?? '') !== names[l]);
  const save = () => {
    const out: Names = {};
    for (const l of locales)
      if (names[l]?.trim()) out[l] = { name: names[l].trim(), description: item.names[l]?.description ?? '' };
    void onSave(out, slug);
  };
  return (
    <form
      className={`hc-names hc-${kind}-names`}
      onSubmit={(e) => {
        e.preventDefault();
        save();
      }}
    >
      {locales.map((l) => (
        <label key={l} className="inline">
          <span className="sr">
            {kind} name in {languageName(l)}
          </span>
          <input
            aria-label={`${kind === 'category' ? 'Category' : 'Section'} name (${languageName(l)})`}
            placeholder={`${languageName(l)} name`}
            value={names[l] ?? ''}
            readOnly={!canEdit}
            onChange={(e) => setNames({ ...names, [l]: e.target.value })}
          />
        </label>
      ))}
      <label className="inline small">
        slug
        <input value={slug} readOnly={!canEdit} size={14} onChange={(e) => setSlug(e.target.value)} />
      </label>
      {canEdit && (
        <>
          <button type="submit" disabled={!dirty}>
            Save
          </button>
          <button type="button" className="link danger" onClick={() => void onDelete()}>
            Delete
          </button>
        </>
      )}
    </form>
  );
}

function NewItem({
  label,
  locale,
  onCreate,
}: {
  label: string;
  locale: string;
  onCreate: (name: string) => Promise<boolean>;
}) {
  const [name, setName] = useState('');
  return (
    <form
      className="row hc-new"
      onSubmit={async (e) => {
        e.preventDefault();
        if (name.trim() && (await onCreate(name.trim()))) setName('');
      }}
    >
      <input
        aria-label={label}
        placeholder={`${label} (${languageName(locale)} name)`}
        value={name}
        onChange={(e) => setName(e.target.value)}
      />
      <button type="submit" disabled={!name.trim()}>
        Add
      </button>
    </form>
  );
}
