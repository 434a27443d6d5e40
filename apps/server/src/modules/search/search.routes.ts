import { SearchQuery, SearchResult } from '@shopdesk/contracts';
import type { Router } from '../../platform/http/router.ts';
import type { createSearchService } from './search.service.ts';

export function registerSearchRoutes(r: Router, svc: ReturnType<typeof createSearchService>) {
  r.add({
    method: 'GET',
    url: '/api/v1/search',
    summary:
      'Full-text search over ticket subjects and every message body, ranked, with highlighted snippets',
    tag: 'Search',
    access: 'read-only',
    query: SearchQuery,
    response: SearchResult,
    handler: async ({ auth, query }) => svc.search(auth, query.q, query.limit),
  });
}
