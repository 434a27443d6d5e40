-- Large values (raw emails, message bodies, their search vectors, sent .eml copies) are compressed when
-- stored. PostgreSQL's default pglz cost the ingest path measurable CPU per email; lz4 compresses several
-- times faster at a similar ratio. PGlite is built without lz4 and keeps pglz: the same schema either way,
-- only the storage detail differs (existing rows keep their compression until rewritten).
DO $$
BEGIN
  ALTER TABLE inbound_events ALTER COLUMN payload SET COMPRESSION lz4;
  ALTER TABLE messages ALTER COLUMN body_text SET COMPRESSION lz4;
  ALTER TABLE messages ALTER COLUMN body_html SET COMPRESSION lz4;
  ALTER TABLE messages ALTER COLUMN search SET COMPRESSION lz4;
  ALTER TABLE email_outbound ALTER COLUMN raw SET COMPRESSION lz4;
EXCEPTION WHEN feature_not_supported OR invalid_parameter_value THEN
  RAISE NOTICE 'lz4 not available here; large values stay pglz-compressed';
END $$;
