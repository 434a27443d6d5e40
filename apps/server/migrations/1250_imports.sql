-- Imports from other helpdesks (modules/integrations, docs/integrations.md). A run reads its source page
-- by page in `import-page` jobs; `cursor` is the checkpoint written with each page, so a crash or a
-- restart resumes after the last committed page. Credentials are encrypted under the key ring.
CREATE TABLE import_runs (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  workspace_id bigint NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  source text NOT NULL CHECK (source IN ('zendesk', 'csv')),
  status text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'running', 'done', 'failed', 'cancelled')),
  label text NOT NULL DEFAULT '',
  settings jsonb NOT NULL DEFAULT '{}',
  credentials_enc text,
  -- A CSV file is kept in the file store while its run may still read it.
  file_sha256 text,
  cursor text,
  pages int NOT NULL DEFAULT 0,
  tickets_imported int NOT NULL DEFAULT 0,
  tickets_skipped int NOT NULL DEFAULT 0,
  messages_imported int NOT NULL DEFAULT 0,
  tickets_total int,
  error_count int NOT NULL DEFAULT 0,
  -- The latest 100 item errors (the count keeps going).
  errors jsonb NOT NULL DEFAULT '[]',
  last_error text,
  started_by bigint REFERENCES agents(id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  finished_at timestamptz
);
CREATE INDEX import_runs_workspace ON import_runs (workspace_id, id DESC);

-- The source-id map: one row per imported record, unique per workspace, source and kind, so a re-run
-- (or a page replayed after a crash) imports nothing twice. Written in the record's own transaction.
CREATE TABLE import_items (
  workspace_id bigint NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  source text NOT NULL,
  kind text NOT NULL,
  external_id text NOT NULL,
  local_id bigint,
  run_id bigint REFERENCES import_runs(id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (workspace_id, source, kind, external_id)
);
CREATE INDEX import_items_local ON import_items (workspace_id, kind, local_id);
