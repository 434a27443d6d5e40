import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { ApiError } from '../../lib/api.ts';
import { atLeast } from '../../lib/roles.ts';
import { useMe } from '../../lib/session.tsx';
import { type CategoryT, hcApi, languageName, type Names, type SectionT } from './helpcenter-api.ts';

const slugify = (s: string) =>
  s
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 80);

/** Categories and their sections, with names in every help-center language. Leads and admins change them. */
export function CategoriesPage() {
  const me = useMe();
  const canEdit = atLeast(me.agent.role, 'lead');
  const qc = useQueryClient();
  const settings = useQuery({ queryKey: ['hc', 'settings'], queryFn: hcApi.settings });
  const cats = useQuery({ queryKey: ['hc', 'categories'], queryFn: hcApi.categories });
  const [msg, setMsg] = useState<{ ok: boolean; text: string } | null>(null);
  const run = async (fn: () => Promise<unknown>, ok: string) => {
    setMsg(null);
    try {
      await fn();
      setMsg({ ok: true, text: ok });
      await qc.invalidateQueries({ queryKey: ['hc', 'categories'] });
      return true;
    } catch (e) {
      setMsg({ ok: false, text: e instanceof ApiError ? e.message : 'Something went wrong' });
      return false;
    }
  };
  if (!settings.data || !cats.data) return <p className="loading">Loading…</p>;
  const locales = settings.data.locales;
  return (
    <>
      <h1>Categories & sections</h1>
      {!canEdit && <p className="muted">Only leads and admins change categories and sections.</p>}
      {msg && (
        <p className={msg.ok ? 'success' : 'error'} role={msg.ok ? 'status' : 'alert'}>
          {msg.text}
        </p>
      )}
      {cats.data.categories.map((c) => (
        <section
          key={c.id}
          className="card hc-category"
          aria-label={`Category ${c.names[settings.data.defaultLocale]?.name ?? c.slug}`}
        >
          <NamesForm
            kind="category"
            item={c}
            locales={locales}
            canEdit={canEdit}
            onSave={(names, slug) =>
              run(() => hcApi.updateCategory(c.id, { names, slug }), 'Category saved.')
            }
            onDelete={() =>
              confirm('Delete this category and its sections? Their articles become unfiled.') &&
              run(() => hcApi.deleteCategory(c.id), 'Category deleted.')
            }
          />
          <ul className="hc-sections">
            {cats.data.sections
              .filter((s) => s.categoryId === c.id)
              .map((s) => (
                <li key={s.id}>
                  <NamesForm
                    kind="section"
                    item={s}
                    locales={locales}
                    canEdit={canEdit}
                    onSave={(names, slug) =>
                      run(() => hcApi.updateSection(s.id, { names, slug }), 'Section saved.')
                    }
                    onDelete={() =>
                      confirm('Delete this section? Its articles become unfiled.') &&
                      run(() => hcApi.deleteSection(s.id), 'Section deleted.')
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
