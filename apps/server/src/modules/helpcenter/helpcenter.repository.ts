import { type Db, sql } from '../../platform/db/db.ts';

// ---------- settings ----------

export interface SettingsRow {
  workspace_id: number;
  enabled: boolean;
  title: string;
  default_locale: string;
  locales: string[];
  logo_url: string | null;
  primary_color: string;
  custom_domain: string | null;
  contact_topics: string[];
  bot: Record<string, unknown>;
}

export async function getSettings(db: Db, workspaceId: number): Promise<SettingsRow> {
  const row = await db.one<SettingsRow>(sql`SELECT * FROM hc_settings WHERE workspace_id = ${workspaceId}`);
  if (row) return row;
  // Defaults come from the table definition, so a missing row reads exactly like a fresh one.
  return (await db.one<SettingsRow>(
    sql`INSERT INTO hc_settings (workspace_id) VALUES (${workspaceId})
        ON CONFLICT (workspace_id) DO UPDATE SET workspace_id = EXCLUDED.workspace_id RETURNING *`,
  ))!;
}

export async function updateSettings(db: Db, workspaceId: number, f: Record<string, unknown>) {
  await getSettings(db, workspaceId);
  const sets = Object.entries(f)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) =>
      k === 'contact_topics' || k === 'bot'
        ? sql`${sql.identifier(k)} = ${JSON.stringify(v)}::jsonb`
        : sql`${sql.identifier(k)} = ${v}`,
    );
  if (!sets.length) return getSettings(db, workspaceId);
  return (await db.one<SettingsRow>(
    sql`UPDATE hc_settings SET ${sql.join(sets, sql`, `)}, updated_at = now()
        WHERE workspace_id = ${workspaceId} RETURNING *`,
  ))!;
}

export const workspaceIdByDomain = async (db: Db, host: string) =>
  (
    await db.one<{ workspace_id: number }>(
      sql`SELECT workspace_id FROM hc_settings WHERE custom_domain = ${host}`,
    )
  )?.workspace_id ?? null;

export const domainTaken = async (db: Db, workspaceId: number, host: string) =>
  !!(await db.one(
    sql`SELECT 1 FROM hc_settings WHERE custom_domain = ${host} AND workspace_id <> ${workspaceId}`,
  ));

// ---------- categories and sections ----------

export interface CategoryRow {
  id: number;
  workspace_id: number;
  slug: string;
  position: number;
  names: Record<string, { name: string; description: string }>;
  created_at: Date;
}
export interface SectionRow extends CategoryRow {
  category_id: number;
}

export const listCategories = (db: Db, workspaceId: number) =>
  db.query<CategoryRow>(
    sql`SELECT * FROM hc_categories WHERE workspace_id = ${workspaceId} ORDER BY position, id`,
  );
export const findCategory = (db: Db, workspaceId: number, id: number) =>
  db.one<CategoryRow>(sql`SELECT * FROM hc_categories WHERE workspace_id = ${workspaceId} AND id = ${id}`);
export const findCategoryBySlug = (db: Db, workspaceId: number, slug: string) =>
  db.one<CategoryRow>(
    sql`SELECT * FROM hc_categories WHERE workspace_id = ${workspaceId} AND slug = ${slug}`,
  );
export const insertCategory = async (
  db: Db,
  workspaceId: number,
  c: { slug: string; position: number; names: unknown },
) =>
  (await db.one<CategoryRow>(
    sql`INSERT INTO hc_categories (workspace_id, slug, position, names)
        VALUES (${workspaceId}, ${c.slug}, ${c.position}, ${JSON.stringify(c.names)}::jsonb) RETURNING *`,
  ))!;
export const updateCategory = (
  db: Db,
  workspaceId: number,
  id: number,
  c: { slug?: string; position?: number; names?: unknown },
) =>
  db.one<CategoryRow>(
    sql`UPDATE hc_categories SET slug = coalesce(${c.slug ?? null}, slug),
          position = coalesce(${c.position ?? null}::int, position),
          names = coalesce(${c.names ? JSON.stringify(c.names) : null}::jsonb, names)
        WHERE workspace_id = ${workspaceId} AND id = ${id} RETURNING *`,
  );
export const deleteCategory = async (db: Db, workspaceId: number, id: number) =>
  (
    await db.query(
      sql`DELETE FROM hc_categories WHERE workspace_id = ${workspaceId} AND id = ${id} RETURNING id`,
    )
  ).length > 0;

export const listSections = (db: Db, workspaceId: number) =>
  db.query<SectionRow>(
    sql`SELECT * FROM hc_sections WHERE workspace_id = ${workspaceId} ORDER BY position, id`,
  );
export const findSection = (db: Db, workspaceId: number, id: number) =>
  db.one<SectionRow>(sql`SELECT * FROM hc_sections WHERE workspace_id = ${workspaceId} AND id = ${id}`);
export const findSectionBySlug = (db: Db, workspaceId: number, slug: string) =>
  db.one<SectionRow>(sql`SELECT * FROM hc_sections WHERE workspace_id = ${workspaceId} AND slug = ${slug}`);
export const insertSection = async (
  db: Db,
  workspaceId: number,
  c: { categoryId: number; slug: string; position: number; names: unknown },
) =>
  (await db.one<SectionRow>(
    sql`INSERT INTO hc_sections (workspace_id, category_id, slug, position, names)
        VALUES (${workspaceId}, ${c.categoryId}, ${c.slug}, ${c.position}, ${JSON.stringify(c.names)}::jsonb) RETURNING *`,
  ))!;
export const updateSection = (
  db: Db,
  workspaceId: number,
  id: number,
  c: { categoryId?: number; slug?: string; position?: number; names?: unknown },
) =>
  db.one<SectionRow>(
    sql`UPDATE hc_sections SET slug = coalesce(${c.slug ?? null}, slug),
          category_id = coalesce(${c.categoryId ?? null}::bigint, category_id),
          position = coalesce(${c.position ?? null}::int, position),
          names = coalesce(${c.names ? JSON.stringify(c.names) : null}::jsonb, names)
        WHERE workspace_id = ${workspaceId} AND id = ${id} RETURNING *`,
  );
export const deleteSection = async (db: Db, workspaceId: number, id: number) =>
  (
    await db.query(
      sql`DELETE FROM hc_sections WHERE workspace_id = ${workspaceId} AND id = ${id} RETURNING id`,
    )
  ).length > 0;

// ---------- articles ----------

export interface ArticleRow {
  id: number;
  workspace_id: number;
  section_id: number | null;
  slug: string;
  visibility: 'public' | 'internal';
  faq: boolean;
  position: number;
  created_at: Date;
  updated_at: Date;
}
export interface TranslationRow {
  id: number;
  article_id: number;
  locale: string;
  title: string;
  body_md: string;
  summary: string;
  keywords: string;
  draft_version: number;
  draft_updated_at: Date;
  published_title: string | null;
  published_body_md: string | null;
  published_body_html: string | null;
  published_body_text: string | null;
  published_summary: string | null;
  published_keywords: string | null;
  published_version: number | null;
  published_at: Date | null;
}

export const insertArticle = async (
  db: Db,
  workspaceId: number,
  a: {
    slug: string;
    sectionId: number | null;
    visibility: string;
    faq: boolean;
    position: number;
    createdBy: number | null;
  },
) =>
  (await db.one<ArticleRow>(
    sql`INSERT INTO hc_articles (workspace_id, section_id, slug, visibility, faq, position, created_by)
        VALUES (${workspaceId}, ${a.sectionId}, ${a.slug}, ${a.visibility}, ${a.faq}, ${a.position}, ${a.createdBy})
        RETURNING *`,
  ))!;

export const findArticle = (db: Db, workspaceId: number, id: number, forUpdate = false) =>
  db.one<ArticleRow>(
    sql`SELECT * FROM hc_articles WHERE workspace_id = ${workspaceId} AND id = ${id} ${forUpdate ? sql`FOR UPDATE` : sql``}`,
  );
export const findArticleBySlug = (db: Db, workspaceId: number, slug: string) =>
  db.one<ArticleRow>(sql`SELECT * FROM hc_articles WHERE workspace_id = ${workspaceId} AND slug = ${slug}`);

export interface ArticleFilter {
  sectionId?: number;
  categoryId?: number;
  visibility?: string;
  /** Only articles with a version in this language (combined with status: that version's state). */
  locale?: string;
  /** published: live in some (or the given) language; draft: never published or with unpublished edits. */
  status?: 'draft' | 'published';
  /** Words of the draft title. */
  q?: string;
  limit: number;
  offset: number;
}

export const listArticles = (db: Db, workspaceId: number, f: ArticleFilter) => {
  const tr = [
    sql`t.workspace_id = ${workspaceId}`,
    sql`t.article_id = a.id`,
    ...(f.locale ? [sql`t.locale = ${f.locale}`] : []),
    ...(f.status === 'published' ? [sql`t.published_at IS NOT NULL`] : []),
    ...(f.status === 'draft'
      ? [sql`(t.published_at IS NULL OR t.published_version IS DISTINCT FROM t.draft_version)`]
      : []),
    ...(f.q ? [sql`t.title ILIKE ${`%${f.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`}`] : []),
  ];
  const filtered = f.locale || f.status || f.q;
  return db.query<ArticleRow>(
    sql`SELECT a.* FROM hc_articles a WHERE a.workspace_id = ${workspaceId}
        ${f.sectionId ? sql`AND a.section_id = ${f.sectionId}` : sql``}
        ${
          f.categoryId
            ? sql`AND a.section_id IN (SELECT id FROM hc_sections
                   WHERE workspace_id = ${workspaceId} AND category_id = ${f.categoryId})`
            : sql``
        }
        ${f.visibility ? sql`AND a.visibility = ${f.visibility}` : sql``}
        ${filtered ? sql`AND EXISTS (SELECT 1 FROM hc_article_translations t WHERE ${sql.join(tr, sql` AND `)})` : sql``}
        ORDER BY a.section_id NULLS LAST, a.position, a.id LIMIT ${f.limit} OFFSET ${f.offset}`,
  );
};

export const updateArticle = (db: Db, workspaceId: number, id: number, f: Record<string, unknown>) => {
  const sets = Object.entries(f)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => sql`${sql.identifier(k)} = ${v}`);
  return db.one<ArticleRow>(
    sql`UPDATE hc_articles SET ${sql.join([...sets, sql`updated_at = now()`], sql`, `)}
        WHERE workspace_id = ${workspaceId} AND id = ${id} RETURNING *`,
  );
};
export const deleteArticle = async (db: Db, workspaceId: number, id: number) =>
  (
    await db.query(
      sql`DELETE FROM hc_articles WHERE workspace_id = ${workspaceId} AND id = ${id} RETURNING id`,
    )
  ).length > 0;

export const translationsOf = (db: Db, workspaceId: number, articleIds: number[]) =>
  db.query<TranslationRow>(
    sql`SELECT id, article_id, locale, title, body_md, summary, keywords, draft_version, draft_updated_at,
               published_title, published_body_md, published_body_html, published_body_text, published_summary,
               published_keywords, published_version, published_at
        FROM hc_article_translations
        WHERE workspace_id = ${workspaceId} AND article_id = ANY(${articleIds}::bigint[]) ORDER BY locale`,
  );

export const findTranslation = (
  db: Db,
  workspaceId: number,
  articleId: number,
  locale: string,
  forUpdate = false,
) =>
  db.one<TranslationRow>(
    sql`SELECT * FROM hc_article_translations
        WHERE workspace_id = ${workspaceId} AND article_id = ${articleId} AND locale = ${locale}
        ${forUpdate ? sql`FOR UPDATE` : sql``}`,
  );

export async function saveDraft(
  db: Db,
  workspaceId: number,
  articleId: number,
  locale: string,
  d: { title: string; bodyMd: string; summary: string; keywords: string },
) {
  return (await db.one<TranslationRow>(
    sql`INSERT INTO hc_article_translations (workspace_id, article_id, locale, title, body_md, summary, keywords)
        VALUES (${workspaceId}, ${articleId}, ${locale}, ${d.title}, ${d.bodyMd}, ${d.summary}, ${d.keywords})
        ON CONFLICT (article_id, locale) DO UPDATE SET title = EXCLUDED.title, body_md = EXCLUDED.body_md,
          summary = EXCLUDED.summary, keywords = EXCLUDED.keywords,
          draft_version = hc_article_translations.draft_version + 1, draft_updated_at = now()
        RETURNING *`,
  ))!;
}

export const publishTranslation = (
  db: Db,
  workspaceId: number,
  id: number,
  rendered: { html: string; text: string },
) =>
  db.one<TranslationRow>(
    sql`UPDATE hc_article_translations SET published_title = title, published_body_md = body_md,
          published_body_html = ${rendered.html}, published_body_text = ${rendered.text},
          published_summary = summary, published_keywords = keywords, published_version = draft_version,
          published_at = now()
        WHERE workspace_id = ${workspaceId} AND id = ${id} RETURNING *`,
  );

export const unpublishTranslation = (db: Db, workspaceId: number, id: number) =>
  db.one<TranslationRow>(
    sql`UPDATE hc_article_translations SET published_title = NULL, published_body_md = NULL,
          published_body_html = NULL, published_body_text = NULL, published_summary = NULL,
          published_keywords = NULL, published_version = NULL, published_at = NULL
        WHERE workspace_id = ${workspaceId} AND id = ${id} RETURNING *`,
  );

export const deleteTranslation = (db: Db, workspaceId: number, articleId: number, locale: string) =>
  db.query(
    sql`DELETE FROM hc_article_translations WHERE workspace_id = ${workspaceId} AND article_id = ${articleId} AND locale = ${locale}`,
  );

export const touchArticle = (db: Db, workspaceId: number, id: number) =>
  db.query(sql`UPDATE hc_articles SET updated_at = now() WHERE workspace_id = ${workspaceId} AND id = ${id}`);

// ---------- versions ----------

export interface VersionRow {
  id: number;
  article_id: number;
  locale: string;
  version: number;
  action: string;
  title: string;
  body_md: string;
  summary: string;
  keywords: string;
  agent_id: number | null;
  created_at: Date;
}
export const insertVersion = (
  db: Db,
  workspaceId: number,
  t: TranslationRow,
  action: string,
  agentId: number | null,
) =>
  db.query(
    sql`INSERT INTO hc_article_versions (workspace_id, article_id, locale, version, action, title, body_md, summary, keywords, agent_id)
        VALUES (${workspaceId}, ${t.article_id}, ${t.locale}, ${t.draft_version}, ${action}, ${t.title}, ${t.body_md},
                ${t.summary}, ${t.keywords}, ${agentId})`,
  );
export const listVersions = (db: Db, workspaceId: number, articleId: number) =>
  db.query<VersionRow>(
    sql`SELECT * FROM hc_article_versions WHERE workspace_id = ${workspaceId} AND article_id = ${articleId}
        ORDER BY id DESC LIMIT 200`,
  );
export const findVersion = (db: Db, workspaceId: number, articleId: number, id: number) =>
  db.one<VersionRow>(
    sql`SELECT * FROM hc_article_versions WHERE workspace_id = ${workspaceId} AND article_id = ${articleId} AND id = ${id}`,
  );

// ---------- published content (portal, search, bot) ----------

export interface PublishedRow {
  article_id: number;
  slug: string;
  section_id: number | null;
  visibility: 'public' | 'internal';
  faq: boolean;
  position: number;
  locale: string;
  title: string;
  body_html: string;
  body_text: string;
  summary: string;
  keywords: string;
  published_at: Date;
  updated_at: Date;
}
const publishedCols = sql`a.id AS article_id, a.slug, a.section_id, a.visibility, a.faq, a.position, t.locale,
  t.published_title AS title, t.published_body_html AS body_html, t.published_body_text AS body_text,
  t.published_summary AS summary, coalesce(t.published_keywords, '') AS keywords, t.published_at, greatest(a.updated_at, t.published_at) AS updated_at`;

/**
 * Published articles in `locale`, falling back to `fallback` for articles without that language.
 * Internal articles only when `internal` (signed-in agents).
 */
export const listPublished = (
  db: Db,
  workspaceId: number,
  locale: string,
  fallback: string,
  internal: boolean,
  f: { sectionId?: number; articleIds?: number[] } = {},
) =>
  db.query<PublishedRow>(
    sql`SELECT DISTINCT ON (a.id) ${publishedCols}
        FROM hc_articles a JOIN hc_article_translations t ON t.article_id = a.id
        WHERE a.workspace_id = ${workspaceId} AND t.workspace_id = ${workspaceId}
          AND t.published_at IS NOT NULL AND t.locale IN (${locale}, ${fallback})
          ${internal ? sql`` : sql`AND a.visibility = 'public'`}
          ${f.sectionId ? sql`AND a.section_id = ${f.sectionId}` : sql``}
          ${f.articleIds ? sql`AND a.id = ANY(${f.articleIds}::bigint[])` : sql``}
        ORDER BY a.id, (t.locale = ${locale}) DESC`,
  );

export const publishedLocales = async (db: Db, workspaceId: number, articleId: number) =>
  (
    await db.query<{ locale: string }>(
      sql`SELECT locale FROM hc_article_translations
          WHERE workspace_id = ${workspaceId} AND article_id = ${articleId} AND published_at IS NOT NULL ORDER BY locale`,
    )
  ).map((r) => r.locale);

// ---------- search ----------

/** Rebuilds the typo-correction vocabulary of one language from its published public articles. */
export async function rebuildTerms(db: Db, workspaceId: number, locale: string) {
  await db.query(sql`DELETE FROM hc_search_terms WHERE workspace_id = ${workspaceId} AND locale = ${locale}`);
  await db.query(
    sql`INSERT INTO hc_search_terms (workspace_id, locale, term, docs)
        SELECT ${workspaceId}, ${locale}, w.word, count(*)::int
        FROM hc_article_translations t JOIN hc_articles a ON a.id = t.article_id AND a.visibility = 'public',
             LATERAL unnest(tsvector_to_array(t.search)) AS w(word)
        WHERE t.workspace_id = ${workspaceId} AND t.locale = ${locale} AND t.published_at IS NOT NULL
          AND length(w.word) BETWEEN 3 AND 40
        GROUP BY w.word`,
  );
}

/** For each word unknown to the vocabulary, the closest known term (trigram similarity). */
export async function correctWords(db: Db, workspaceId: number, locale: string, words: string[]) {
  if (!words.length) return new Map<string, string>();
  const rows = await db.query<{ word: string; term: string | null; known: boolean }>(
    sql`SELECT q.word, exists(SELECT 1 FROM hc_search_terms k WHERE k.workspace_id = ${workspaceId}
                  AND k.locale = ${locale} AND k.term = q.word) AS known,
               (SELECT s.term FROM hc_search_terms s
                 WHERE s.workspace_id = ${workspaceId} AND s.locale = ${locale} AND s.term % q.word
                 ORDER BY similarity(s.term, q.word) DESC, s.docs DESC, s.term LIMIT 1) AS term
        FROM unnest(${words}::text[]) AS q(word)`,
  );
  const out = new Map<string, string>();
  for (const r of rows) if (!r.known && r.term) out.set(r.word, r.term);
  return out;
}

export interface SearchRow {
  article_id: number;
  slug: string;
  visibility: 'public' | 'internal';
  locale: string;
  title: string;
  summary: string;
  headline: string;
  score: number;
}

export const searchPublished = (
  db: Db,
  workspaceId: number,
  locale: string,
  fallback: string,
  tsquery: string,
  internal: boolean,
  limit: number,
) =>
  db.query<SearchRow>(
    sql`WITH q AS (SELECT to_tsquery('simple', ${tsquery}) AS q),
        hits AS (
          SELECT DISTINCT ON (a.id) a.id AS article_id, a.slug, a.visibility, t.locale, t.published_title AS title,
                 t.published_summary AS summary, t.published_body_text AS body_text,
                 ts_rank_cd(t.search, q.q, 1) AS score
          FROM hc_articles a JOIN hc_article_translations t ON t.article_id = a.id, q
          WHERE a.workspace_id = ${workspaceId} AND t.workspace_id = ${workspaceId}
            AND t.published_at IS NOT NULL AND t.locale IN (${locale}, ${fallback})
            ${internal ? sql`` : sql`AND a.visibility = 'public'`}
            AND t.search @@ q.q
          ORDER BY a.id, (t.locale = ${locale}) DESC
        )
        SELECT article_id, slug, visibility, locale, title, summary, score,
               ts_headline('simple', body_text, q.q,
                 'StartSel=' || chr(2) || ', StopSel=' || chr(3) || ', MaxWords=30, MinWords=12, MaxFragments=2, FragmentDelimiter=" … "') AS headline
        FROM hits, q ORDER BY score DESC, article_id LIMIT ${limit}`,
  );

export const insertSearchQuery = async (
  db: Db,
  workspaceId: number,
  q: {
    query: string;
    normalized: string;
    locale: string;
    source: string;
    resultCount: number;
    topArticleId: number | null;
  },
) =>
  (await db.one<{ id: number }>(
    sql`INSERT INTO hc_search_queries (workspace_id, query, normalized, locale, source, result_count, top_article_id)
        VALUES (${workspaceId}, ${q.query}, ${q.normalized}, ${q.locale}, ${q.source}, ${q.resultCount}, ${q.topArticleId})
        RETURNING id`,
  ))!.id;

/** The one search row of a contact form (its key): each later, longer subject replaces the earlier. */
export const upsertFormSearch = async (
  db: Db,
  workspaceId: number,
  formKey: string,
  q: { query: string; normalized: string; locale: string; resultCount: number; topArticleId: number | null },
) =>
  (await db.one<{ id: number }>(
    sql`INSERT INTO hc_search_queries (workspace_id, query, normalized, locale, source, result_count, top_article_id, form_key)
        VALUES (${workspaceId}, ${q.query}, ${q.normalized}, ${q.locale}, 'contact-form', ${q.resultCount}, ${q.topArticleId}, ${formKey})
        ON CONFLICT (workspace_id, form_key) WHERE form_key IS NOT NULL DO UPDATE SET
          query = EXCLUDED.query, normalized = EXCLUDED.normalized, locale = EXCLUDED.locale,
          result_count = EXCLUDED.result_count, top_article_id = EXCLUDED.top_article_id, created_at = now()
        RETURNING id`,
  ))!.id;

export const markSearchClicked = (db: Db, workspaceId: number, queryId: number, articleId: number) =>
  db.query(
    sql`UPDATE hc_search_queries SET clicked_article_id = ${articleId}
        WHERE workspace_id = ${workspaceId} AND id = ${queryId} AND clicked_article_id IS NULL`,
  );

export const noResultQueries = (db: Db, workspaceId: number, days: number) =>
  db.query<{ query: string; count: number; last_at: Date }>(
    sql`SELECT min(query) AS query, count(*)::int AS count, max(created_at) AS last_at
        FROM hc_search_queries
        WHERE workspace_id = ${workspaceId} AND result_count = 0 AND created_at > now() - make_interval(days => ${days})
        GROUP BY normalized ORDER BY count(*) DESC, max(created_at) DESC LIMIT 100`,
  );

// ---------- views, votes, deflections ----------

export const insertView = (db: Db, workspaceId: number, articleId: number, visitorKey: string) =>
  db.query(
    sql`INSERT INTO hc_article_views (workspace_id, article_id, visitor_key) VALUES (${workspaceId}, ${articleId}, ${visitorKey})`,
  );

export const recentlyViewed = async (db: Db, workspaceId: number, visitorKey: string, hours: number) =>
  (
    await db.query<{ article_id: number }>(
      sql`SELECT DISTINCT article_id FROM hc_article_views
          WHERE workspace_id = ${workspaceId} AND visitor_key = ${visitorKey}
            AND viewed_at > now() - make_interval(hours => ${hours})`,
    )
  ).map((r) => r.article_id);

export const upsertVote = (
  db: Db,
  workspaceId: number,
  v: { articleId: number; locale: string; visitorKey: string; helpful: boolean; comment: string | null },
) =>
  db.query(
    sql`INSERT INTO hc_votes (workspace_id, article_id, locale, visitor_key, helpful, comment)
        VALUES (${workspaceId}, ${v.articleId}, ${v.locale}, ${v.visitorKey}, ${v.helpful}, ${v.comment})
        ON CONFLICT (article_id, visitor_key) DO UPDATE SET helpful = EXCLUDED.helpful,
          comment = coalesce(EXCLUDED.comment, hc_votes.comment), updated_at = now()`,
  );

export const insertDeflection = async (
  db: Db,
  workspaceId: number,
  d: {
    source: string;
    visitorKey: string | null;
    query: string;
    articleIds: number[];
    outcome: string;
    ticketId?: number | null;
  },
) =>
  (await db.one<{ id: number }>(
    sql`INSERT INTO hc_deflections (workspace_id, source, visitor_key, query, article_ids, outcome, ticket_id)
        VALUES (${workspaceId}, ${d.source}, ${d.visitorKey}, ${d.query}, ${d.articleIds}::bigint[], ${d.outcome}, ${d.ticketId ?? null})
        RETURNING id`,
  ))!.id;

/** The articles one contact form suggested, all of them, however often the subject changed. */
export const upsertFormSuggestion = (
  db: Db,
  workspaceId: number,
  formKey: string,
  d: { visitorKey: string | null; query: string; articleIds: number[] },
) =>
  db.query(
    sql`INSERT INTO hc_deflections (workspace_id, source, visitor_key, query, article_ids, outcome, form_key)
        VALUES (${workspaceId}, 'contact-form', ${d.visitorKey}, ${d.query}, ${d.articleIds}::bigint[], 'suggested', ${formKey})
        ON CONFLICT (workspace_id, form_key) WHERE form_key IS NOT NULL AND outcome = 'suggested' DO UPDATE SET
          query = EXCLUDED.query,
          article_ids = ARRAY(SELECT DISTINCT x FROM unnest(hc_deflections.article_ids || EXCLUDED.article_ids) x ORDER BY x),
          created_at = now()`,
  );

export const linkVisitorEmail = (db: Db, workspaceId: number, visitorKey: string, email: string) =>
  db.query(
    sql`INSERT INTO hc_visitor_emails (workspace_id, visitor_key, email) VALUES (${workspaceId}, ${visitorKey}, ${email.trim().toLowerCase()})
        ON CONFLICT (workspace_id, visitor_key, email) DO UPDATE SET seen_at = now()`,
  );

/** Whether any portal visitor gave this workspace an address in the last `hours`. */
export const anyVisitorEmailSince = async (db: Db, workspaceId: number, hours: number) =>
  !!(
    await db.one<{ any: boolean }>(
      sql`SELECT EXISTS (SELECT 1 FROM hc_visitor_emails WHERE workspace_id = ${workspaceId}
            AND seen_at > now() - make_interval(hours => ${hours})) AS any`,
    )
  )?.any;

/** Articles read in the hours before `at` by any portal visitor who gave us this e-mail address. */
export const viewsBefore = async (db: Db, workspaceId: number, email: string, at: Date, hours: number) =>
  (
    await db.query<{ article_id: number; visitor_key: string }>(
      sql`SELECT DISTINCT v.article_id, v.visitor_key FROM hc_visitor_emails e
          JOIN hc_article_views v ON v.workspace_id = e.workspace_id AND v.visitor_key = e.visitor_key
          WHERE e.workspace_id = ${workspaceId} AND e.email = ${email.trim().toLowerCase()}
            AND v.viewed_at <= ${at} AND v.viewed_at > ${at}::timestamptz - make_interval(hours => ${hours})
          ORDER BY v.article_id`,
    )
  ).map((r) => ({ articleId: r.article_id, visitorKey: r.visitor_key }));

export const insertTicketDeflection = (
  db: Db,
  workspaceId: number,
  d: {
    source: 'chat' | 'email';
    visitorKey: string | null;
    query: string;
    articleIds: number[];
    ticketId: number;
  },
) =>
  db.query(
    sql`INSERT INTO hc_deflections (workspace_id, source, visitor_key, query, article_ids, outcome, ticket_id)
        VALUES (${workspaceId}, ${d.source}, ${d.visitorKey}, ${d.query}, ${d.articleIds}::bigint[], 'ticket_created', ${d.ticketId})
        ON CONFLICT (ticket_id, source) WHERE outcome = 'ticket_created' AND ticket_id IS NOT NULL DO NOTHING`,
  );

export async function articleStats(db: Db, workspaceId: number, articleId: number, days: number) {
  const since = sql`now() - make_interval(days => ${days})`;
  const row = await db.one<{
    views: number;
    helpful: number;
    not_helpful: number;
    search_clicks: number;
    suggested: number;
    tickets_after_view: number;
  }>(
    sql`SELECT
      (SELECT count(*)::int FROM hc_article_views WHERE workspace_id = ${workspaceId} AND article_id = ${articleId} AND viewed_at > ${since}) AS views,
      (SELECT count(*)::int FROM hc_votes WHERE workspace_id = ${workspaceId} AND article_id = ${articleId} AND helpful AND updated_at > ${since}) AS helpful,
      (SELECT count(*)::int FROM hc_votes WHERE workspace_id = ${workspaceId} AND article_id = ${articleId} AND NOT helpful AND updated_at > ${since}) AS not_helpful,
      (SELECT count(*)::int FROM hc_search_queries WHERE workspace_id = ${workspaceId} AND clicked_article_id = ${articleId} AND created_at > ${since}) AS search_clicks,
      (SELECT count(*)::int FROM hc_deflections WHERE workspace_id = ${workspaceId} AND outcome = 'suggested' AND ${articleId}::bigint = ANY(article_ids) AND created_at > ${since}) AS suggested,
      (SELECT count(*)::int FROM hc_deflections WHERE workspace_id = ${workspaceId} AND outcome = 'ticket_created' AND source IN ('contact-form', 'chat', 'email') AND ${articleId}::bigint = ANY(article_ids) AND created_at > ${since}) AS tickets_after_view`,
  );
  const comments = await db.query<{ helpful: boolean; comment: string; updated_at: Date }>(
    sql`SELECT helpful, comment, updated_at FROM hc_votes
        WHERE workspace_id = ${workspaceId} AND article_id = ${articleId} AND comment IS NOT NULL AND comment <> ''
        ORDER BY updated_at DESC LIMIT 50`,
  );
  const topQueries = await db.query<{ query: string; count: number }>(
    sql`SELECT min(query) AS query, count(*)::int AS count FROM hc_search_queries
        WHERE workspace_id = ${workspaceId} AND clicked_article_id = ${articleId} AND created_at > ${since}
        GROUP BY normalized ORDER BY count(*) DESC LIMIT 20`,
  );
  return { ...row!, comments, topQueries };
}

// ---------- images ----------

export interface ImageRow {
  sha256: string;
  content_type: string;
  size_bytes: number;
  filename: string;
}

export const insertImage = (
  db: Db,
  workspaceId: number,
  i: { sha256: string; contentType: string; size: number; filename: string; agentId: number },
) =>
  db.query(
    sql`INSERT INTO hc_images (workspace_id, sha256, content_type, size_bytes, filename, uploaded_by)
        VALUES (${workspaceId}, ${i.sha256}, ${i.contentType}, ${i.size}, ${i.filename}, ${i.agentId})
        ON CONFLICT (workspace_id, sha256) DO NOTHING`,
  );

export const findImage = (db: Db, workspaceId: number, sha256: string) =>
  db.one<ImageRow>(
    sql`SELECT sha256, content_type, size_bytes, filename FROM hc_images
        WHERE workspace_id = ${workspaceId} AND sha256 = ${sha256}`,
  );
