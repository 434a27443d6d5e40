-- Social listening and public reviews (modules/listening, docs/listening.md): the sources a workspace
-- listens to (keywords/handles, credentials, the cursor a restart resumes from, the last error shown in
-- Settings) and the mentions they found, one row per provider item (never fetched twice).
CREATE TABLE listening_sources (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  workspace_id bigint NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  kind text NOT NULL,
  name text NOT NULL,
  enabled boolean NOT NULL DEFAULT false,
  -- Where to listen (base URL, feed URL, instance, subreddit) and what to match; no secrets here.
  settings jsonb NOT NULL DEFAULT '{}',
  keywords text[] NOT NULL DEFAULT '{}',
  -- App passwords and tokens, encrypted with the key ring ('credentials' purpose).
  secrets_enc text,
  -- Where the next poll starts: Jetstream time_us, Mastodon since_id, Reddit's newest fullname, feed GUIDs.
  cursor text,
  last_polled_at timestamptz,
  last_error text,
  last_error_at timestamptz,
  -- A 429's reset: no poll before this.
  paused_until timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX listening_sources_ws ON listening_sources (workspace_id);
CREATE INDEX listening_sources_enabled ON listening_sources (id) WHERE enabled;

CREATE TABLE listening_mentions (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  workspace_id bigint NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  source_id bigint REFERENCES listening_sources(id) ON DELETE SET NULL,
  kind text NOT NULL,
  external_id text NOT NULL,
  author text NOT NULL DEFAULT '',
  author_handle text,
  text text NOT NULL,
  link text,
  posted_at timestamptz NOT NULL,
  language text,
  rating int,
  sentiment text NOT NULL,
  sentiment_score int NOT NULL,
  sentiment_reasons jsonb NOT NULL DEFAULT '[]',
  matched_keywords text[] NOT NULL DEFAULT '{}',
  status text NOT NULL DEFAULT 'new' CHECK (status IN ('new', 'reviewed', 'ticketed', 'replied', 'ignored')),
  -- What a reply needs (Bluesky uri/cid of the post and its thread root, Mastodon status id).
  reply_ref jsonb,
  contact_id bigint,
  order_id bigint,
  order_number text,
  ticket_id bigint,
  replied_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (workspace_id, kind, external_id)
);
CREATE INDEX listening_mentions_list ON listening_mentions (workspace_id, posted_at DESC, id DESC);
CREATE INDEX listening_mentions_recovery ON listening_mentions (workspace_id, id)
  WHERE sentiment = 'negative' AND ticket_id IS NULL AND status <> 'ignored';
