import type {
  HcArticle,
  HcArticleStats,
  HcArticleVersion,
  HcCategory,
  HcNoResultQueries,
  HcSearchResult,
  HcSection,
  HcSettings,
  UpdateHcSettings,
} from '@shopdesk/contracts';
import type { z } from 'zod';
import { api, request } from '../../lib/api.ts';

export type ArticleT = HcArticle;
export type TranslationT = HcArticle['translations'][number];
export type CategoryT = HcCategory;
export type SectionT = HcSection;
export type SettingsT = HcSettings;
export type VersionT = z.output<typeof HcArticleVersion>;
export type StatsT = z.output<typeof HcArticleStats>;
export type SearchResultT = z.output<typeof HcSearchResult>;
export type NoResultT = z.output<typeof HcNoResultQueries>;
export type Names = Record<string, { name: string; description?: string }>;

export type ArticleFilter = {
  categoryId?: string;
  status?: string;
  locale?: string;
  visibility?: string;
  q?: string;
};
export type TranslationInput = {
  title: string;
  bodyMd: string;
  summary: string;
  keywords: string;
  baseVersion?: number;
};

const A = '/api/v1/helpcenter';

export const hcApi = {
  settings: () => api.get<SettingsT>(`${A}/settings`),
  updateSettings: (b: z.input<typeof UpdateHcSettings>) => api.patch<SettingsT>(`${A}/settings`, b),
  categories: () => api.get<{ categories: CategoryT[]; sections: SectionT[] }>(`${A}/categories`),
  createCategory: (b: { slug: string; names: Names; position?: number }) =>
    api.post<CategoryT>(`${A}/categories`, b),
  updateCategory: (id: number, b: { slug?: string; names?: Names; position?: number }) =>
    api.patch<CategoryT>(`${A}/categories/${id}`, b),
  deleteCategory: (id: number) => api.del(`${A}/categories/${id}`),
  createSection: (b: { slug: string; names: Names; categoryId: number; position?: number }) =>
    api.post<SectionT>(`${A}/sections`, b),
  updateSection: (id: number, b: { slug?: string; names?: Names; categoryId?: number; position?: number }) =>
    api.patch<SectionT>(`${A}/sections/${id}`, b),
  deleteSection: (id: number) => api.del(`${A}/sections/${id}`),

  articles: (f: ArticleFilter) => api.get<{ items: ArticleT[] }>(`${A}/articles`, { ...f, limit: 200 }),
  article: (id: number) => api.get<ArticleT>(`${A}/articles/${id}`),
  createArticle: (b: {
    slug: string;
    sectionId: number | null;
    visibility: 'public' | 'internal';
    locale: string;
    title: string;
    bodyMd: string;
    summary: string;
    keywords: string;
  }) => api.post<ArticleT>(`${A}/articles`, b),
  updateArticle: (
    id: number,
    b: {
      slug?: string;
      sectionId?: number | null;
      visibility?: 'public' | 'internal';
      faq?: boolean;
      position?: number;
    },
  ) => api.patch<ArticleT>(`${A}/articles/${id}`, b),
  deleteArticle: (id: number) => api.del(`${A}/articles/${id}`),
  saveTranslation: (id: number, locale: string, b: TranslationInput) =>
    request<ArticleT>('PUT', `${A}/articles/${id}/translations/${locale}`, b),
  deleteTranslation: (id: number, locale: string) =>
    api.del<ArticleT>(`${A}/articles/${id}/translations/${locale}`),
  publish: (id: number, locale: string, publish: boolean) =>
    api.post<ArticleT>(`${A}/articles/${id}/translations/${locale}/publish`, { publish }),
  versions: (id: number) => api.get<{ items: VersionT[] }>(`${A}/articles/${id}/versions`),
  restore: (id: number, versionId: number) =>
    api.post<ArticleT>(`${A}/articles/${id}/versions/${versionId}/restore`),
  stats: (id: number, days: number) => api.get<StatsT>(`${A}/articles/${id}/stats`, { days }),
  noResults: (days: number) => api.get<NoResultT>(`${A}/no-result-queries`, { days }),
  preview: (bodyMd: string) => api.post<{ html: string }>(`${A}/preview`, { bodyMd }),
  uploadImage: (b: { filename: string; contentType: string; contentBase64: string }) =>
    api.post<{ url: string; markdown: string }>(`${A}/images`, b),
  search: (q: string, internal: boolean) =>
    api.get<SearchResultT>(`${A}/search`, { q, limit: 8, internal: internal || undefined }),
};

/** The article's title in the preferred language, else any. */
export function titleOf(a: ArticleT, locale: string) {
  return (a.translations.find((t) => t.locale === locale) ?? a.translations[0])?.title ?? a.slug;
}

export function stateOf(t: TranslationT | undefined): { label: string; cls: string } {
  if (!t) return { label: 'missing', cls: 'hc-missing' };
  if (!t.published) return { label: 'draft', cls: 'hc-draft' };
  if (t.hasUnpublishedChanges) return { label: 'published · unpublished changes', cls: 'hc-changed' };
  return { label: 'published', cls: 'hc-published' };
}

export const nameIn = (names: Names, locale: string) =>
  names[locale]?.name ?? Object.values(names)[0]?.name ?? '';

export const LANGUAGE_NAMES: Record<string, string> = {
  en: 'English',
  de: 'German',
  fr: 'French',
  es: 'Spanish',
  it: 'Italian',
  nl: 'Dutch',
  pl: 'Polish',
  pt: 'Portuguese',
  sv: 'Swedish',
  da: 'Danish',
};
export const languageName = (l: string) => LANGUAGE_NAMES[l] ?? l;

export async function fileToBase64(f: File): Promise<string> {
  const buf = new Uint8Array(await f.arrayBuffer());
  let bin = '';
  for (let i = 0; i < buf.length; i += 0x8000) bin += String.fromCharCode(...buf.subarray(i, i + 0x8000));
  return btoa(bin);
}
