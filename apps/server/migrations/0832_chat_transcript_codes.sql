-- Chat transcripts go only to an address the visitor proved to own: a one-time code is mailed there
-- first (owned by the chat module). The code is stored as a SHA-256 hash and expires.
CREATE TABLE chat_transcript_codes (
  workspace_id bigint NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  visitor_id bigint NOT NULL REFERENCES chat_visitors(id) ON DELETE CASCADE,
  email text NOT NULL,
  code_hash text,
  expires_at timestamptz,
  attempts int NOT NULL DEFAULT 0,
  verified_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (workspace_id, visitor_id, email)
);
