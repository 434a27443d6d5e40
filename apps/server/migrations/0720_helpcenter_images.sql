-- Images uploaded into help-center articles. The bytes live in the content-addressed file store; this
-- row says which workspace may serve them (the same bytes uploaded by two shops are two rows).
CREATE TABLE hc_images (
  workspace_id bigint NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  sha256 text NOT NULL,
  content_type text NOT NULL,
  size_bytes integer NOT NULL,
  filename text NOT NULL,
  uploaded_by bigint REFERENCES agents(id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (workspace_id, sha256)
);
