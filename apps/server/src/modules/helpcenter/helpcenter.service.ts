import type {
  CreateHcArticle,
  CreateHcCategory,
  CreateHcSection,
  HcArticle,
  HcCategory,
  HcSearchHit,
  HcSection,
  HcSettings,
  HcTranslation,
  SaveHcTranslation,
  UpdateHcArticle,
  UpdateHcCategory,
  UpdateHcSection,
  UpdateHcSettings,
} from '@shopdesk/contracts';
import type { z } from 'zod';
import type { Db } from '../../platform/db/db.ts';
import type { Deps } from '../../platform/deps.ts';
import { AppError, badRequest, conflict, notFound } from '../../platform/errors.ts';
import { escapeHtml } from '../../platform/html/sanitize.ts';
import type { Auth } from '../../platform/http/router.ts';
import { recordAudit } from '../audit/index.ts';
import { findWorkspaceById, findWorkspaceBySlug } from '../workspaces/index.ts';
import * as repo from './helpcenter.repository.ts';
import { renderMarkdown } from './markdown.ts';
import {
  expandSynonyms,
  MARK_END,
  MARK_START,
  normalizeQuery,
  orTsQuery,
  queryWords,
} from './search-text.ts';

type In<T extends z.ZodType> = z.output<T>;

const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);

/** Where a workspace's help center lives: /help/<slug> on our host, or the root of the shop's domain. */
export interface PortalBase {
  workspaceId: number;
  slug: string;
  workspaceName: string;
  /** Absolute origin + path prefix, no trailing slash: https://help.shop.com or http://host/help/demo. */
  root: string;
  /** Path prefix for links on the page ('' on a custom domain). */
  prefix: string;
}

export interface SearchOptions {
  locale?: string;
  limit?: number;
  internal?: boolean;
  source?: 'portal' | 'contact-form' | 'bot' | 'api';
  /** Record the query (for no-result reports and click-through); default true. */
  record?: boolean;
  /** A contact form's one-time key: the form keeps one search row, its latest subject. */
  formKey?: string;
}

export interface SearchOutcome {
  query: string;
  correctedQuery: string | null;
  hits: (HcSearchHit & { summary: string })[];
  queryId: number | null;
}

const MAX_IMAGE_BYTES = 5 * 1024 * 1024;
export const IMAGE_TYPES: Record<string, string> = {
  'image/png': 'png',
  'image/jpeg': 'jpg',
  'image/gif': 'gif',
  'image/webp': 'webp',
};
const IMAGE_MAGIC: Record<string, (b: Buffer) => boolean> = {
  'image/png': (b) => b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])),
  'image/jpeg': (b) => b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff,
  'image/gif': (b) => /^GIF8[79]a/.test(b.subarray(0, 6).toString('latin1')),
  'image/webp': (b) =>
    b.subarray(0, 4).toString('latin1') === 'RIFF' && b.subarray(8, 12).toString('latin1') === 'WEBP',
};

export function createHelpCenterService(deps: Deps) {
  const { db, config } = deps;

  async function settingsOf(workspaceId: number, tx: Db = db) {
    return repo.getSettings(tx, workspaceId);
  }

  async function baseFor(workspaceId: number): Promise<PortalBase> {
    const ws = await findWorkspaceById(db, workspaceId);
    if (!ws) throw notFound('Workspace');
    const s = await settingsOf(workspaceId);
    return s.custom_domain
      ? { workspaceId, slug: ws.slug, workspaceName: ws.name, root: `https://${s.custom_domain}`, prefix: '' }
      : {
          workspaceId,
          slug: ws.slug,
          workspaceName: ws.name,
          root: `${config.publicUrl}/help/${ws.slug}`,
          prefix: `/help/${ws.slug}`,
        };
  }

  const articlePath = (locale: string, id: number, slug: string) => `/${locale}/articles/${id}-${slug}`;

  function toSettings(s: repo.SettingsRow, base: PortalBase): HcSettings {
    return {
      enabled: s.enabled,
      title: s.title,
      defaultLocale: s.default_locale,
      locales: s.locales,
      logoUrl: s.logo_url,
      primaryColor: s.primary_color,
      customDomain: s.custom_domain,
      contactTopics: s.contact_topics,
      url: base.root,
    };
  }

  const toCategory = (c: repo.CategoryRow): HcCategory => ({
    id: c.id,
    slug: c.slug,
    position: c.position,
    names: c.names,
    createdAt: iso(c.created_at)!,
  });
  const toSection = (c: repo.SectionRow): HcSection => ({ ...toCategory(c), categoryId: c.category_id });

  function toTranslation(t: repo.TranslationRow): HcTranslation {
    const published = t.published_at !== null;
    return {
      locale: t.locale,
      title: t.title,
      bodyMd: t.body_md,
      summary: t.summary,
      keywords: t.keywords,
      draftVersion: t.draft_version,
      draftUpdatedAt: iso(t.draft_updated_at)!,
      published,
      hasUnpublishedChanges: !published || t.published_version !== t.draft_version,
      publishedVersion: t.published_version,
      publishedAt: iso(t.published_at),
    };
  }

  async function toArticles(workspaceId: number, rows: repo.ArticleRow[]): Promise<HcArticle[]> {
    if (!rows.length) return [];
    const base = await baseFor(workspaceId);
    const s = await settingsOf(workspaceId);
    const trs = await repo.translationsOf(
      db,
      workspaceId,
      rows.map((r) => r.id),
    );
    return rows.map((a) => {
      const mine = trs.filter((t) => t.article_id === a.id);
      const loc =
        mine.find((t) => t.locale === s.default_locale)?.locale ?? mine[0]?.locale ?? s.default_locale;
      return {
        id: a.id,
        slug: a.slug,
        sectionId: a.section_id,
        visibility: a.visibility,
        faq: a.faq,
        position: a.position,
        translations: mine.map(toTranslation),
        url: `${base.root}${articlePath(loc, a.id, a.slug)}`,
        createdAt: iso(a.created_at)!,
        updatedAt: iso(a.updated_at)!,
      };
    });
  }

  async function loadArticle(workspaceId: number, id: number, tx: Db = db, forUpdate = false) {
    const a = await repo.findArticle(tx, workspaceId, id, forUpdate);
    if (!a) throw notFound('Article');
    return a;
  }

  async function checkSection(workspaceId: number, sectionId: number | null | undefined) {
    if (sectionId && !(await repo.findSection(db, workspaceId, sectionId)))
      throw new AppError('validation_failed', 'sectionId: no such section in this workspace');
  }

  const uniqueViolation = (err: unknown) => (err as { code?: string }).code === '23505';

  async function audit(auth: Auth, action: string, targetId: number, data: Record<string, unknown> = {}) {
    await recordAudit(db, {
      workspaceId: auth.workspaceId,
      actorAgentId: auth.agentId,
      action,
      targetType: 'hc_article',
      targetId,
      data,
    });
  }

  async function publishLocked(tx: Db, workspaceId: number, t: repo.TranslationRow, agentId: number | null) {
    const rendered = renderMarkdown(t.body_md);
    const p = await repo.publishTranslation(tx, workspaceId, t.id, rendered);
    await repo.insertVersion(tx, workspaceId, t, 'published', agentId);
    await repo.touchArticle(tx, workspaceId, t.article_id);
    await repo.rebuildTerms(tx, workspaceId, t.locale);
    return p!;
  }

  const linkedRecently = new Map<number, { any: boolean; at: number }>();

  const svc = {
    baseFor,
    articlePath,
    settingsOf,

    // ---------- settings ----------
    async getSettings(auth: Pick<Auth, 'workspaceId'>) {
      const base = await baseFor(auth.workspaceId);
      return toSettings(await settingsOf(auth.workspaceId), base);
    },
    async updateSettings(auth: Auth, input: In<typeof UpdateHcSettings>) {
      // Details name the field (`body.<field>`, like the request validation) so forms show it there.
      const field = (name: string, message: string) => [{ path: `body.${name}`, message }];
      if (input.customDomain) {
        const ours = new URL(config.publicUrl).hostname;
        if (input.customDomain === ours)
          throw badRequest(
            'customDomain must be the shop’s own domain, not Shopdesk’s',
            field('customDomain', 'must be the shop’s own domain, not Shopdesk’s'),
          );
        if (await repo.domainTaken(db, auth.workspaceId, input.customDomain))
          throw conflict(
            'Another workspace already uses this domain',
            field('customDomain', 'another workspace already uses this domain'),
          );
      }
      const current = await settingsOf(auth.workspaceId);
      const locales = input.locales ?? current.locales;
      if (!locales.includes(input.defaultLocale ?? current.default_locale))
        throw new AppError(
          'validation_failed',
          'defaultLocale must be one of locales',
          field('defaultLocale', 'must be one of the help center’s languages'),
        );
      await repo.updateSettings(db, auth.workspaceId, {
        enabled: input.enabled,
        title: input.title,
        default_locale: input.defaultLocale,
        locales: input.locales,
        logo_url: input.logoUrl,
        primary_color: input.primaryColor,
        custom_domain: input.customDomain,
        contact_topics: input.contactTopics,
      });
      await recordAudit(db, {
        workspaceId: auth.workspaceId,
        actorAgentId: auth.agentId,
        action: 'helpcenter.settings_updated',
        data: { fields: Object.keys(input) },
      });
      return svc.getSettings(auth);
    },

    // ---------- categories and sections ----------
    async listCategories(auth: Pick<Auth, 'workspaceId'>) {
      return {
        categories: (await repo.listCategories(db, auth.workspaceId)).map(toCategory),
        sections: (await repo.listSections(db, auth.workspaceId)).map(toSection),
      };
    },
    async createCategory(auth: Auth, input: In<typeof CreateHcCategory>) {
      try {
        return toCategory(await repo.insertCategory(db, auth.workspaceId, input));
      } catch (err) {
        if (uniqueViolation(err)) throw conflict(`A category with slug "${input.slug}" exists`);
        throw err;
      }
    },
    async updateCategory(auth: Auth, id: number, input: In<typeof UpdateHcCategory>) {
      try {
        const c = await repo.updateCategory(db, auth.workspaceId, id, input);
        if (!c) throw notFound('Category');
        return toCategory(c);
      } catch (err) {
        if (uniqueViolation(err)) throw conflict(`A category with slug "${input.slug}" exists`);
        throw err;
      }
    },
    async deleteCategory(auth: Auth, id: number) {
      if (!(await repo.deleteCategory(db, auth.workspaceId, id))) throw notFound('Category');
    },
    async createSection(auth: Auth, input: In<typeof CreateHcSection>) {
      if (!(await repo.findCategory(db, auth.workspaceId, input.categoryId)))
        throw new AppError('validation_failed', 'categoryId: no such category in this workspace');
      try {
        return toSection(await repo.insertSection(db, auth.workspaceId, input));
      } catch (err) {
        if (uniqueViolation(err)) throw conflict(`A section with slug "${input.slug}" exists`);
        throw err;
      }
    },
    async updateSection(auth: Auth, id: number, input: In<typeof UpdateHcSection>) {
      if (input.categoryId && !(await repo.findCategory(db, auth.workspaceId, input.categoryId)))
        throw new AppError('validation_failed', 'categoryId: no such category in this workspace');
      try {
        const c = await repo.updateSection(db, auth.workspaceId, id, input);
        if (!c) throw notFound('Section');
        return toSection(c);
      } catch (err) {
        if (uniqueViolation(err)) throw conflict(`A section with slug "${input.slug}" exists`);
        throw err;
      }
    },
    async deleteSection(auth: Auth, id: number) {
      if (!(await repo.deleteSection(db, auth.workspaceId, id))) throw notFound('Section');
    },

    // ---------- articles ----------
    async listArticles(auth: Pick<Auth, 'workspaceId'>, q: repo.ArticleFilter) {
      return { items: await toArticles(auth.workspaceId, await repo.listArticles(db, auth.workspaceId, q)) };
    },
    async getArticle(auth: Pick<Auth, 'workspaceId'>, id: number) {
      return (await toArticles(auth.workspaceId, [await loadArticle(auth.workspaceId, id)]))[0]!;
    },
    async createArticle(auth: Auth, input: In<typeof CreateHcArticle>) {
      await checkSection(auth.workspaceId, input.sectionId);
      const s = await settingsOf(auth.workspaceId);
      const locale = input.locale ?? s.default_locale;
      const id = await db
        .tx(async (tx) => {
          const a = await repo.insertArticle(tx, auth.workspaceId, {
            slug: input.slug,
            sectionId: input.sectionId,
            visibility: input.visibility,
            faq: input.faq,
            position: input.position,
            createdBy: auth.agentId,
          });
          const t = await repo.saveDraft(tx, auth.workspaceId, a.id, locale, input);
          await repo.insertVersion(tx, auth.workspaceId, t, 'created', auth.agentId);
          if (input.publish) await publishLocked(tx, auth.workspaceId, t, auth.agentId);
          return a.id;
        })
        .catch((err) => {
          if (uniqueViolation(err)) throw conflict(`An article with slug "${input.slug}" exists`);
          throw err;
        });
      await audit(auth, 'helpcenter.article_created', id, { slug: input.slug, published: input.publish });
      return svc.getArticle(auth, id);
    },
    async updateArticle(auth: Auth, id: number, input: In<typeof UpdateHcArticle>) {
      await loadArticle(auth.workspaceId, id);
      await checkSection(auth.workspaceId, input.sectionId);
      try {
        await repo.updateArticle(db, auth.workspaceId, id, {
          slug: input.slug,
          section_id: input.sectionId,
          visibility: input.visibility,
          faq: input.faq,
          position: input.position,
        });
      } catch (err) {
        if (uniqueViolation(err)) throw conflict(`An article with slug "${input.slug}" exists`);
        throw err;
      }
      if (input.visibility) {
        // Internal articles leave the shopper vocabulary (and vice versa): rebuild every language.
        for (const t of await repo.translationsOf(db, auth.workspaceId, [id]))
          if (t.published_at) await repo.rebuildTerms(db, auth.workspaceId, t.locale);
      }
      await audit(auth, 'helpcenter.article_updated', id, { fields: Object.keys(input) });
      return svc.getArticle(auth, id);
    },
    async deleteArticle(auth: Auth, id: number) {
      const trs = await repo.translationsOf(db, auth.workspaceId, [id]);
      if (!(await repo.deleteArticle(db, auth.workspaceId, id))) throw notFound('Article');
      for (const t of trs) if (t.published_at) await repo.rebuildTerms(db, auth.workspaceId, t.locale);
      await audit(auth, 'helpcenter.article_deleted', id);
    },
    async saveTranslation(auth: Auth, id: number, locale: string, input: In<typeof SaveHcTranslation>) {
      const s = await settingsOf(auth.workspaceId);
      if (!s.locales.includes(locale))
        throw new AppError(
          'validation_failed',
          `locale: "${locale}" is not one of the help center's languages (${s.locales.join(', ')})`,
        );
      await db.tx(async (tx) => {
        await loadArticle(auth.workspaceId, id, tx, true);
        const cur = await repo.findTranslation(tx, auth.workspaceId, id, locale, true);
        if (input.baseVersion !== undefined && cur && cur.draft_version !== input.baseVersion)
          throw new AppError(
            'stale_version',
            'Someone saved this article since you opened it; reload to see their changes',
            {
              currentVersion: cur.draft_version,
            },
          );
        const t = await repo.saveDraft(tx, auth.workspaceId, id, locale, input);
        await repo.insertVersion(tx, auth.workspaceId, t, cur ? 'saved' : 'created', auth.agentId);
        await repo.touchArticle(tx, auth.workspaceId, id);
      });
      return svc.getArticle(auth, id);
    },
    async setPublished(auth: Auth, id: number, locale: string, publish: boolean) {
      await db.tx(async (tx) => {
        await loadArticle(auth.workspaceId, id, tx, true);
        const t = await repo.findTranslation(tx, auth.workspaceId, id, locale, true);
        if (!t) throw notFound('Translation');
        if (publish) await publishLocked(tx, auth.workspaceId, t, auth.agentId);
        else if (t.published_at) {
          await repo.unpublishTranslation(tx, auth.workspaceId, t.id);
          await repo.insertVersion(tx, auth.workspaceId, t, 'unpublished', auth.agentId);
          await repo.touchArticle(tx, auth.workspaceId, id);
          await repo.rebuildTerms(tx, auth.workspaceId, locale);
        }
      });
      await audit(auth, publish ? 'helpcenter.article_published' : 'helpcenter.article_unpublished', id, {
        locale,
      });
      return svc.getArticle(auth, id);
    },
    async deleteTranslation(auth: Auth, id: number, locale: string) {
      await loadArticle(auth.workspaceId, id);
      const trs = await repo.translationsOf(db, auth.workspaceId, [id]);
      if (!trs.some((t) => t.locale === locale)) throw notFound('Translation');
      if (trs.length === 1)
        throw badRequest('An article keeps at least one language; delete the article instead');
      await repo.deleteTranslation(db, auth.workspaceId, id, locale);
      await repo.rebuildTerms(db, auth.workspaceId, locale);
      return svc.getArticle(auth, id);
    },
    async versions(auth: Pick<Auth, 'workspaceId'>, id: number) {
      await loadArticle(auth.workspaceId, id);
      return {
        items: (await repo.listVersions(db, auth.workspaceId, id)).map((v) => ({
          id: v.id,
          locale: v.locale,
          version: v.version,
          action: v.action,
          title: v.title,
          bodyMd: v.body_md,
          summary: v.summary,
          agentId: v.agent_id,
          createdAt: iso(v.created_at)!,
        })),
      };
    },
    /** Copies an old version into the draft (publishing it is a separate, deliberate step). */
    async restoreVersion(auth: Auth, id: number, versionId: number) {
      await db.tx(async (tx) => {
        await loadArticle(auth.workspaceId, id, tx, true);
        const v = await repo.findVersion(tx, auth.workspaceId, id, versionId);
        if (!v) throw notFound('Version');
        const t = await repo.saveDraft(tx, auth.workspaceId, id, v.locale, {
          title: v.title,
          bodyMd: v.body_md,
          summary: v.summary,
          keywords: v.keywords,
        });
        await repo.insertVersion(tx, auth.workspaceId, t, 'restored', auth.agentId);
        await repo.touchArticle(tx, auth.workspaceId, id);
      });
      await audit(auth, 'helpcenter.article_restored', id, { versionId });
      return svc.getArticle(auth, id);
    },
    async stats(auth: Pick<Auth, 'workspaceId'>, id: number, days: number) {
      await loadArticle(auth.workspaceId, id);
      const s = await repo.articleStats(db, auth.workspaceId, id, days);
      return {
        articleId: id,
        views: s.views,
        helpful: s.helpful,
        notHelpful: s.not_helpful,
        comments: s.comments.map((c) => ({
          helpful: c.helpful,
          comment: c.comment,
          createdAt: iso(c.updated_at)!,
        })),
        searchClicks: s.search_clicks,
        topQueries: s.topQueries,
        suggested: s.suggested,
        ticketsAfterView: s.tickets_after_view,
      };
    },
    /** The editor's preview: exactly what the portal will show (same renderer, same sanitiser). */
    preview(bodyMd: string) {
      const r = renderMarkdown(bodyMd);
      return { html: r.html, headings: r.headings };
    },

    /**
     * An image for an article. Only raster formats whose bytes match the declared type are accepted (no
     * SVG: it can carry script). The URL is public once the help center is, like the articles using it.
     */
    async uploadImage(auth: Auth, input: { filename: string; contentType: string; contentBase64: string }) {
      const type = input.contentType.toLowerCase();
      const ext = IMAGE_TYPES[type];
      if (!ext)
        throw new AppError(
          'validation_failed',
          'contentType: only PNG, JPEG, GIF or WebP images can be uploaded',
        );
      const b64 = input.contentBase64.replace(/\s+/g, '');
      if (!/^[A-Za-z0-9+/]*={0,2}$/.test(b64) || b64.length % 4 !== 0)
        throw new AppError('validation_failed', 'contentBase64: not valid base64');
      const data = Buffer.from(b64, 'base64');
      if (!data.length) throw new AppError('validation_failed', 'contentBase64: the file is empty');
      if (data.length > MAX_IMAGE_BYTES)
        throw new AppError(
          'validation_failed',
          `The image is larger than ${MAX_IMAGE_BYTES / 1024 / 1024} MB`,
        );
      if (!IMAGE_MAGIC[type]!(data))
        throw new AppError('validation_failed', `The file is not a ${ext.toUpperCase()} image`);
      const { sha256, size } = await deps.files.put(data);
      await repo.insertImage(db, auth.workspaceId, {
        sha256,
        contentType: type,
        size,
        filename: input.filename.slice(0, 200),
        agentId: auth.agentId,
      });
      const ws = await findWorkspaceById(db, auth.workspaceId);
      const path = `/help/${ws!.slug}/images/${sha256}.${ext}`;
      // Article images must be https (markdown.ts); a plain-http install (development) uses a site path.
      const url = config.publicUrl.startsWith('https://') ? `${config.publicUrl}${path}` : path;
      const alt = input.filename.replace(/\.[a-z0-9]+$/i, '').replace(/[[\]()]/g, '');
      return { url, markdown: `![${alt}](${url})`, contentType: type, size };
    },
    image: (workspaceId: number, sha256: string) => repo.findImage(db, workspaceId, sha256),

    async noResultQueries(auth: Pick<Auth, 'workspaceId'>, days: number) {
      return {
        items: (await repo.noResultQueries(db, auth.workspaceId, days)).map((r) => ({
          query: r.query,
          count: r.count,
          lastAt: iso(r.last_at)!,
        })),
      };
    },

    // ---------- shopper side ----------

    /** Ranked full-text search with typo correction; snippets are escaped HTML with <mark>. */
    async search(workspaceId: number, q: string, o: SearchOptions = {}): Promise<SearchOutcome> {
      const s = await settingsOf(workspaceId);
      const locale = o.locale && s.locales.includes(o.locale) ? o.locale : s.default_locale;
      const words = queryWords(q);
      const corrections = await repo.correctWords(db, workspaceId, locale, words);
      const corrected = words.map((w) => corrections.get(w) ?? w);
      const terms = expandSynonyms(corrected);
      const rows = terms.length
        ? await repo.searchPublished(
            db,
            workspaceId,
            locale,
            s.default_locale,
            orTsQuery(terms),
            o.internal ?? false,
            o.limit ?? 10,
          )
        : [];
      const base = await baseFor(workspaceId);
      const hits = rows.map((r) => ({
        articleId: r.article_id,
        slug: r.slug,
        locale: r.locale,
        title: r.title,
        summary: r.summary,
        snippet: escapeHtml(r.headline || r.summary)
          .replaceAll(MARK_START, '<mark>')
          .replaceAll(MARK_END, '</mark>'),
        url: `${base.root}${articlePath(r.locale, r.article_id, r.slug)}`,
        score: Number(r.score),
        visibility: r.visibility,
      }));
      let queryId: number | null = null;
      if (o.record !== false && normalizeQuery(q)) {
        const row = {
          query: q.slice(0, 200),
          normalized: normalizeQuery(q).slice(0, 200),
          locale,
          resultCount: hits.length,
          topArticleId: hits[0]?.articleId ?? null,
        };
        queryId = o.formKey
          ? await repo.upsertFormSearch(db, workspaceId, o.formKey, row)
          : await repo.insertSearchQuery(db, workspaceId, { ...row, source: o.source ?? 'api' });
      }
      return {
        query: q,
        correctedQuery: corrections.size ? corrected.join(' ') : null,
        hits,
        queryId,
      };
    },

    /**
     * Articles suggested while a shopper writes to us. Live suggestions come at every pause in the
     * typing, so a form (its one-time key) keeps one search row with its latest subject and one
     * "suggested" row with every article it showed; without a key, or for a stub under 4 characters,
     * nothing is recorded.
     */
    async suggest(
      workspaceId: number,
      q: string,
      o: { locale?: string; visitorKey: string | null; formKey: string | null },
    ) {
      const formKey = o.formKey && /^[\w-]{16,64}$/.test(o.formKey) ? o.formKey : null;
      const record = !!formKey && q.trim().length >= 4;
      const r = await svc.search(workspaceId, q, {
        locale: o.locale,
        limit: 5,
        source: 'contact-form',
        record,
        formKey: formKey ?? undefined,
      });
      if (record && r.hits.length)
        await repo.upsertFormSuggestion(db, workspaceId, formKey!, {
          visitorKey: o.visitorKey,
          query: q.slice(0, 300),
          articleIds: r.hits.map((h) => h.articleId),
        });
      return r;
    },
    /** The subject a contact form was sent with: the form's search row ends on it. */
    async recordContactSubject(workspaceId: number, subject: string, locale: string, formKey: string) {
      await svc.search(workspaceId, subject, { locale, limit: 5, source: 'contact-form', formKey });
    },

    /** A portal visitor gave us this address (contact form, order lookup): see ticketAfterViews. */
    async linkVisitorEmail(workspaceId: number, visitorKey: string, email: string) {
      await repo.linkVisitorEmail(db, workspaceId, visitorKey, email);
      linkedRecently.set(workspaceId, { any: true, at: Date.now() });
    },
    /**
     * Whether a new ticket could be attributed to article views at all. Every new e-mail and chat ticket
     * asks, and most shops' tickets come from people who never gave the portal an address: one query
     * per workspace per 30 s instead of two per ticket (the ingest path measured them). Another node's
     * first link may go unseen for up to 30 s.
     */
    async attributionPossible(workspaceId: number) {
      const hit = linkedRecently.get(workspaceId);
      if (hit && Date.now() - hit.at < 30_000) return hit.any;
      const any = await repo.anyVisitorEmailSince(db, workspaceId, 24);
      if (linkedRecently.size > 10_000) linkedRecently.clear();
      linkedRecently.set(workspaceId, { any, at: Date.now() });
      return any;
    },
    /**
     * A chat or e-mail ticket from an address a portal visitor gave us: the articles that visitor read in
     * the 24 hours before count it as "ticket after viewing" (idempotent per ticket).
     */
    async ticketAfterViews(
      workspaceId: number,
      t: { id: number; channel: 'chat' | 'email'; email: string; subject: string; createdAt: Date },
    ) {
      const views = await repo.viewsBefore(db, workspaceId, t.email, t.createdAt, 24);
      if (!views.length) return false;
      await repo.insertTicketDeflection(db, workspaceId, {
        source: t.channel,
        visitorKey: views[0]!.visitorKey,
        query: t.subject.slice(0, 300),
        articleIds: [...new Set(views.map((v) => v.articleId))],
        ticketId: t.id,
      });
      return true;
    },

    recordDeflection: (
      workspaceId: number,
      d: {
        source: 'contact-form' | 'bot';
        visitorKey: string | null;
        query: string;
        articleIds: number[];
        outcome: string;
        ticketId?: number | null;
      },
    ) => repo.insertDeflection(db, workspaceId, d),

    publishedArticles: (
      workspaceId: number,
      locale: string,
      fallback: string,
      internal: boolean,
      f?: { sectionId?: number; articleIds?: number[] },
    ) => repo.listPublished(db, workspaceId, locale, fallback, internal, f),
    publishedLocales: (workspaceId: number, articleId: number) =>
      repo.publishedLocales(db, workspaceId, articleId),
    categories: (workspaceId: number) => repo.listCategories(db, workspaceId),
    sections: (workspaceId: number) => repo.listSections(db, workspaceId),
    sectionBySlug: (workspaceId: number, slug: string) => repo.findSectionBySlug(db, workspaceId, slug),
    categoryBySlug: (workspaceId: number, slug: string) => repo.findCategoryBySlug(db, workspaceId, slug),
    articleIdBySlug: async (workspaceId: number, slug: string) =>
      (await repo.findArticleBySlug(db, workspaceId, slug))?.id ?? null,

    async recordView(
      workspaceId: number,
      articleId: number,
      visitorKey: string,
      searchQueryId: number | null,
    ) {
      await repo.insertView(db, workspaceId, articleId, visitorKey);
      if (searchQueryId) await repo.markSearchClicked(db, workspaceId, searchQueryId, articleId);
    },
    recentlyViewed: (workspaceId: number, visitorKey: string) =>
      repo.recentlyViewed(db, workspaceId, visitorKey, 24),

    async vote(
      workspaceId: number,
      articleId: number,
      v: { helpful: boolean; comment?: string; locale: string; visitorKey: string },
    ) {
      const s = await settingsOf(workspaceId);
      const [a] = await repo.listPublished(db, workspaceId, v.locale, s.default_locale, false, {
        articleIds: [articleId],
      });
      if (!a) throw notFound('Article');
      await repo.upsertVote(db, workspaceId, {
        articleId,
        locale: a.locale,
        visitorKey: v.visitorKey,
        helpful: v.helpful,
        comment: v.comment?.trim() ? v.comment.trim() : null,
      });
    },

    /** The bot's settings live with the help center's (the bot module validates them). */
    updateBotSettings: (workspaceId: number, bot: unknown) => repo.updateSettings(db, workspaceId, { bot }),
    workspaceBySlug: (slug: string) => findWorkspaceBySlug(db, slug),
    workspaceIdByDomain: (host: string) => repo.workspaceIdByDomain(db, host),
  };
  return svc;
}

export type HelpCenterService = ReturnType<typeof createHelpCenterService>;
