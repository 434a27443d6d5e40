import {
  CreateHcArticle,
  CreateHcCategory,
  CreateHcSection,
  HcArticle,
  HcArticleStats,
  HcArticleVersion,
  HcCategory,
  HcLocaleParams,
  HcNoResultQueries,
  HcSearchQuery,
  HcSearchResult,
  HcSection,
  HcSettings,
  HcStatsQuery,
  HcVersionParams,
  Locale,
  PublishHcTranslation,
  SaveHcTranslation,
  UpdateHcArticle,
  UpdateHcCategory,
  UpdateHcSection,
  UpdateHcSettings,
} from '@shopdesk/contracts';
import { z } from 'zod';
import { IdParams, type Router } from '../../platform/http/router.ts';
import type { HelpCenterService } from './helpcenter.service.ts';

const tag = 'Help center';

/** Authoring API (dashboard). Shopper-facing pages live in portal-pages.ts. */
export function registerHelpCenterRoutes(router: Router, hc: HelpCenterService) {
  router.add({
    method: 'GET',
    url: '/api/v1/helpcenter/settings',
    summary: 'Help center settings (theme, languages, domain, contact topics)',
    tag,
    access: 'read-only',
    response: HcSettings,
    handler: ({ auth }) => hc.getSettings(auth),
  });
  router.add({
    method: 'PATCH',
    url: '/api/v1/helpcenter/settings',
    summary: 'Change help center settings',
    tag,
    access: 'lead',
    body: UpdateHcSettings,
    response: HcSettings,
    handler: ({ auth, body }) => hc.updateSettings(auth, body),
  });

  router.add({
    method: 'GET',
    url: '/api/v1/helpcenter/categories',
    summary: 'Categories and sections',
    tag,
    access: 'read-only',
    response: z.object({ categories: z.array(HcCategory), sections: z.array(HcSection) }),
    handler: ({ auth }) => hc.listCategories(auth),
  });
  router.add({
    method: 'POST',
    url: '/api/v1/helpcenter/categories',
    summary: 'Create a category',
    tag,
    access: 'lead',
    body: CreateHcCategory,
    response: HcCategory,
    status: 201,
    handler: ({ auth, body }) => hc.createCategory(auth, body),
  });
  router.add({
    method: 'PATCH',
    url: '/api/v1/helpcenter/categories/:id',
    summary: 'Rename, reorder or re-slug a category',
    tag,
    access: 'lead',
    params: IdParams,
    body: UpdateHcCategory,
    response: HcCategory,
    handler: ({ auth, params, body }) => hc.updateCategory(auth, params.id, body),
  });
  router.add({
    method: 'DELETE',
    url: '/api/v1/helpcenter/categories/:id',
    summary: 'Delete a category and its sections (their articles become unfiled)',
    tag,
    access: 'lead',
    params: IdParams,
    handler: ({ auth, params }) => hc.deleteCategory(auth, params.id),
  });
  router.add({
    method: 'POST',
    url: '/api/v1/helpcenter/sections',
    summary: 'Create a section in a category',
    tag,
    access: 'lead',
    body: CreateHcSection,
    response: HcSection,
    status: 201,
    handler: ({ auth, body }) => hc.createSection(auth, body),
  });
  router.add({
    method: 'PATCH',
    url: '/api/v1/helpcenter/sections/:id',
    summary: 'Change a section',
    tag,
    access: 'lead',
    params: IdParams,
    body: UpdateHcSection,
    response: HcSection,
    handler: ({ auth, params, body }) => hc.updateSection(auth, params.id, body),
  });
  router.add({
    method: 'DELETE',
    url: '/api/v1/helpcenter/sections/:id',
    summary: 'Delete a section (its articles become unfiled)',
    tag,
    access: 'lead',
    params: IdParams,
    handler: ({ auth, params }) => hc.deleteSection(auth, params.id),
  });

  router.add({
    method: 'GET',
    url: '/api/v1/helpcenter/articles',
    summary: 'Articles with every language version (drafts included)',
    tag,
    access: 'read-only',
    query: z.object({
      sectionId: z.coerce.number().int().positive().optional(),
      categoryId: z.coerce.number().int().positive().optional(),
      visibility: z.enum(['public', 'internal']).optional(),
      locale: Locale.optional(),
      status: z
        .enum(['draft', 'published'])
        .optional()
        .describe('draft: not published or with unpublished edits'),
      q: z.string().trim().min(1).max(200).optional().describe('Words of the title'),
      limit: z.coerce.number().int().min(1).max(200).default(100),
      offset: z.coerce.number().int().min(0).max(100_000).default(0),
    }),
    response: z.object({ items: z.array(HcArticle) }),
    handler: ({ auth, query }) => hc.listArticles(auth, query),
  });
  router.add({
    method: 'POST',
    url: '/api/v1/helpcenter/articles',
    summary: 'Create an article (draft, or published with publish: true)',
    tag,
    access: 'agent',
    body: CreateHcArticle,
    response: HcArticle,
    status: 201,
    handler: ({ auth, body }) => hc.createArticle(auth, body),
  });
  router.add({
    method: 'GET',
    url: '/api/v1/helpcenter/articles/:id',
    summary: 'One article with its language versions',
    tag,
    access: 'read-only',
    params: IdParams,
    response: HcArticle,
    handler: ({ auth, params }) => hc.getArticle(auth, params.id),
  });
  router.add({
    method: 'PATCH',
    url: '/api/v1/helpcenter/articles/:id',
    summary: 'Move, re-slug or change the visibility of an article',
    tag,
    access: 'agent',
    params: IdParams,
    body: UpdateHcArticle,
    response: HcArticle,
    handler: ({ auth, params, body }) => hc.updateArticle(auth, params.id, body),
  });
  router.add({
    method: 'DELETE',
    url: '/api/v1/helpcenter/articles/:id',
    summary: 'Delete an article with all its languages and history',
    tag,
    access: 'lead',
    params: IdParams,
    handler: ({ auth, params }) => hc.deleteArticle(auth, params.id),
  });
  router.add({
    method: 'PUT',
    url: '/api/v1/helpcenter/articles/:id/translations/:locale',
    summary: 'Save the draft of one language version (published copy is unchanged until publish)',
    tag,
    access: 'agent',
    params: HcLocaleParams,
    body: SaveHcTranslation,
    response: HcArticle,
    handler: ({ auth, params, body }) => hc.saveTranslation(auth, params.id, params.locale, body),
  });
  router.add({
    method: 'DELETE',
    url: '/api/v1/helpcenter/articles/:id/translations/:locale',
    summary: 'Remove one language version',
    tag,
    access: 'lead',
    params: HcLocaleParams,
    response: HcArticle,
    handler: ({ auth, params }) => hc.deleteTranslation(auth, params.id, params.locale),
  });
  router.add({
    method: 'POST',
    url: '/api/v1/helpcenter/articles/:id/translations/:locale/publish',
    summary: 'Publish the current draft of a language version, or unpublish it',
    tag,
    access: 'agent',
    params: HcLocaleParams,
    body: PublishHcTranslation,
    response: HcArticle,
    handler: ({ auth, params, body }) => hc.setPublished(auth, params.id, params.locale, body.publish),
  });
  router.add({
    method: 'GET',
    url: '/api/v1/helpcenter/articles/:id/versions',
    summary: 'Version history of every language, newest first',
    tag,
    access: 'read-only',
    params: IdParams,
    response: z.object({ items: z.array(HcArticleVersion) }),
    handler: ({ auth, params }) => hc.versions(auth, params.id),
  });
  router.add({
    method: 'POST',
    url: '/api/v1/helpcenter/articles/:id/versions/:versionId/restore',
    summary: 'Copy an old version into the draft',
    tag,
    access: 'agent',
    params: HcVersionParams,
    response: HcArticle,
    handler: ({ auth, params }) => hc.restoreVersion(auth, params.id, params.versionId),
  });
  router.add({
    method: 'GET',
    url: '/api/v1/helpcenter/articles/:id/stats',
    summary: 'Views, helpful votes, searches that led to it, suggestions and tickets after viewing',
    tag,
    access: 'read-only',
    params: IdParams,
    query: HcStatsQuery,
    response: HcArticleStats,
    handler: ({ auth, params, query }) => hc.stats(auth, params.id, query.days),
  });
  router.add({
    method: 'GET',
    url: '/api/v1/helpcenter/search',
    summary: 'Search articles as agents see them (internal ones with internal=true); for the composer',
    tag,
    access: 'read-only',
    query: HcSearchQuery,
    response: HcSearchResult,
    handler: async ({ auth, query }) => {
      const r = await hc.search(auth.workspaceId, query.q, {
        locale: query.locale,
        limit: query.limit,
        internal: query.internal,
        source: 'api',
        record: false,
      });
      return { query: r.query, correctedQuery: r.correctedQuery, hits: r.hits };
    },
  });
  router.add({
    method: 'POST',
    url: '/api/v1/helpcenter/preview',
    summary: 'Render article Markdown exactly as the help center will (for the editor preview)',
    tag,
    access: 'agent',
    body: z.object({ bodyMd: z.string().max(200_000) }).strict(),
    response: z.object({
      html: z.string(),
      headings: z.array(z.object({ level: z.number().int(), text: z.string(), id: z.string() })),
    }),
    handler: async ({ body }) => hc.preview(body.bodyMd),
  });
  router.add({
    method: 'POST',
    url: '/api/v1/helpcenter/images',
    summary: 'Upload an image for an article (PNG, JPEG, GIF or WebP, up to 5 MB); returns its URL',
    tag,
    access: 'agent',
    body: z
      .object({
        filename: z.string().trim().min(1).max(255),
        contentType: z.string().trim().min(1).max(100),
        contentBase64: z.string().min(1).max(7_200_000),
      })
      .strict(),
    response: z.object({
      url: z.string(),
      markdown: z.string().describe('Ready to paste into the article'),
      contentType: z.string(),
      size: z.number().int(),
    }),
    status: 201,
    handler: ({ auth, body }) => hc.uploadImage(auth, body),
  });
  router.add({
    method: 'GET',
    url: '/api/v1/helpcenter/no-result-queries',
    summary: 'What shoppers searched for and did not find (content gaps)',
    tag,
    access: 'read-only',
    query: HcStatsQuery,
    response: HcNoResultQueries,
    handler: ({ auth, query }) => hc.noResultQueries(auth, query.days),
  });
}
