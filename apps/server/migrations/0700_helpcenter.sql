-- Help center (categories, sections, articles with language versions and history), its shopper-facing
-- signals (views, votes, searches, deflections) and the bot's conversations. Every table carries
-- workspace_id and every query filters on it.

CREATE TABLE hc_settings (
  workspace_id bigint PRIMARY KEY REFERENCES workspaces(id) ON DELETE CASCADE,
  enabled boolean NOT NULL DEFAULT true,
  title text NOT NULL DEFAULT 'Help center',
  default_locale text NOT NULL DEFAULT 'en',
  locales text[] NOT NULL DEFAULT '{en}',
  logo_url text,
  primary_color text NOT NULL DEFAULT '#1f6feb',
  -- The shop's own domain (help.example.com) answering for this workspace; lower-case, no port.
  custom_domain text,
  contact_topics jsonb NOT NULL DEFAULT '["Order status", "Returns and refunds", "Product question", "Payment", "Other"]',
  -- The bot: on/off per channel, greeting, enabled intents, handover rules (see bot/bot-settings.ts).
  bot jsonb NOT NULL DEFAULT '{}',
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX hc_settings_domain ON hc_settings (custom_domain) WHERE custom_domain IS NOT NULL;

CREATE TABLE hc_categories (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  workspace_id bigint NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  slug text NOT NULL,
  position integer NOT NULL DEFAULT 0,
  -- {"en": {"name": "…", "description": "…"}, "de": {…}}
  names jsonb NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (workspace_id, slug)
);

CREATE TABLE hc_sections (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  workspace_id bigint NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  category_id bigint NOT NULL REFERENCES hc_categories(id) ON DELETE CASCADE,
  slug text NOT NULL,
  position integer NOT NULL DEFAULT 0,
  names jsonb NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (workspace_id, slug)
);
CREATE INDEX hc_sections_category ON hc_sections (category_id, position);

CREATE TABLE hc_articles (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  workspace_id bigint NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  section_id bigint REFERENCES hc_sections(id) ON DELETE SET NULL,
  slug text NOT NULL,
  -- internal: agent training material, never shown to shoppers, search engines or the bot.
  visibility text NOT NULL DEFAULT 'public' CHECK (visibility IN ('public', 'internal')),
  -- Rendered with schema.org FAQPage markup (question = title, answer = body).
  faq boolean NOT NULL DEFAULT false,
  position integer NOT NULL DEFAULT 0,
  created_by bigint REFERENCES agents(id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (workspace_id, slug)
);
CREATE INDEX hc_articles_section ON hc_articles (section_id, position);

-- One row per language version: the working draft and, once published, the live copy side by side,
-- so editing a published article never changes what shoppers see until it is published again.
CREATE TABLE hc_article_translations (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  workspace_id bigint NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  article_id bigint NOT NULL REFERENCES hc_articles(id) ON DELETE CASCADE,
  locale text NOT NULL,
  title text NOT NULL,
  body_md text NOT NULL DEFAULT '',
  summary text NOT NULL DEFAULT '',
  -- Extra words shoppers use for this article (search only, never shown).
  keywords text NOT NULL DEFAULT '',
  draft_version integer NOT NULL DEFAULT 1,
  draft_updated_at timestamptz NOT NULL DEFAULT now(),
  published_title text,
  published_body_md text,
  published_body_html text,
  published_body_text text,
  published_summary text,
  published_keywords text,
  published_version integer,
  published_at timestamptz,
  search tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('simple', coalesce(published_title, '')), 'A') ||
    setweight(to_tsvector('simple', coalesce(published_keywords, '')), 'B') ||
    setweight(to_tsvector('simple', left(coalesce(published_body_text, ''), 200000)), 'C')
  ) STORED,
  UNIQUE (article_id, locale)
);
CREATE INDEX hc_translations_search ON hc_article_translations USING gin (search);
CREATE INDEX hc_translations_workspace ON hc_article_translations (workspace_id, locale) WHERE published_at IS NOT NULL;

-- The words of the published articles (per workspace and language): typo correction looks the
-- closest one up by trigram similarity before the full-text query runs.
CREATE TABLE hc_search_terms (
  workspace_id bigint NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  locale text NOT NULL,
  term text NOT NULL,
  docs integer NOT NULL,
  PRIMARY KEY (workspace_id, locale, term)
);
CREATE INDEX hc_search_terms_trgm ON hc_search_terms USING gin (term gin_trgm_ops);

CREATE TABLE hc_article_versions (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  workspace_id bigint NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  article_id bigint NOT NULL REFERENCES hc_articles(id) ON DELETE CASCADE,
  locale text NOT NULL,
  version integer NOT NULL,
  action text NOT NULL CHECK (action IN ('created', 'saved', 'published', 'unpublished', 'restored')),
  title text NOT NULL,
  body_md text NOT NULL,
  summary text NOT NULL,
  keywords text NOT NULL,
  agent_id bigint REFERENCES agents(id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX hc_article_versions_article ON hc_article_versions (article_id, locale, id DESC);

CREATE TABLE hc_article_views (
  workspace_id bigint NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  article_id bigint NOT NULL REFERENCES hc_articles(id) ON DELETE CASCADE,
  visitor_key text NOT NULL,
  viewed_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX hc_article_views_article ON hc_article_views (article_id, viewed_at);
CREATE INDEX hc_article_views_visitor ON hc_article_views (workspace_id, visitor_key, viewed_at DESC);

-- One vote per visitor and article; voting again changes it.
CREATE TABLE hc_votes (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  workspace_id bigint NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  article_id bigint NOT NULL REFERENCES hc_articles(id) ON DELETE CASCADE,
  locale text NOT NULL,
  visitor_key text NOT NULL,
  helpful boolean NOT NULL,
  comment text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (article_id, visitor_key)
);

CREATE TABLE hc_search_queries (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  workspace_id bigint NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  query text NOT NULL,
  normalized text NOT NULL,
  locale text NOT NULL,
  source text NOT NULL CHECK (source IN ('portal', 'contact-form', 'bot', 'api')),
  result_count integer NOT NULL,
  top_article_id bigint REFERENCES hc_articles(id) ON DELETE SET NULL,
  clicked_article_id bigint REFERENCES hc_articles(id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX hc_search_queries_workspace ON hc_search_queries (workspace_id, created_at DESC);
CREATE INDEX hc_search_queries_none ON hc_search_queries (workspace_id, normalized) WHERE result_count = 0;
CREATE INDEX hc_search_queries_clicked ON hc_search_queries (clicked_article_id) WHERE clicked_article_id IS NOT NULL;

-- Self-service outcomes: articles suggested on the contact form or by the bot, and what happened next.
CREATE TABLE hc_deflections (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  workspace_id bigint NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  source text NOT NULL CHECK (source IN ('contact-form', 'bot')),
  visitor_key text,
  query text NOT NULL DEFAULT '',
  article_ids bigint[] NOT NULL DEFAULT '{}',
  -- suggested: shown; viewed: the shopper opened one; ticket_created: they contacted us anyway;
  -- resolved: they said it answered their question.
  outcome text NOT NULL CHECK (outcome IN ('suggested', 'viewed', 'ticket_created', 'resolved')),
  ticket_id bigint REFERENCES tickets(id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX hc_deflections_workspace ON hc_deflections (workspace_id, created_at DESC);
CREATE INDEX hc_deflections_articles ON hc_deflections USING gin (article_ids);
