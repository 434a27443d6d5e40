-- What agents see beside a chat: where the shopper came from, their clock, and the pages they opened.
ALTER TABLE chat_visitors
  ADD COLUMN referrer text,
  ADD COLUMN timezone text,
  -- Newest first, at most 20 entries of {url, title, at}; a reload of the same page adds nothing.
  ADD COLUMN pages jsonb NOT NULL DEFAULT '[]';

-- The identity secret is shown once (when rotated); this tells admins which one is current.
ALTER TABLE chat_settings ADD COLUMN identity_secret_rotated_at timestamptz;
