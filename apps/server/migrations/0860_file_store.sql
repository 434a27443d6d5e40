-- Files (attachments, avatars, help-center images) stored in the database, so every node serves every
-- file. Content-addressed: one row per distinct SHA-256, its bytes in ordered chunks.
CREATE TABLE IF NOT EXISTS stored_files (
  sha256 text PRIMARY KEY,
  size bigint NOT NULL,
  chunks integer NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS stored_file_chunks (
  sha256 text NOT NULL REFERENCES stored_files (sha256) ON DELETE CASCADE,
  n integer NOT NULL,
  data bytea NOT NULL,
  PRIMARY KEY (sha256, n)
);
-- Most files are images and PDFs that are compressed already: skip the compression attempt.
ALTER TABLE stored_file_chunks ALTER COLUMN data SET STORAGE EXTERNAL;
