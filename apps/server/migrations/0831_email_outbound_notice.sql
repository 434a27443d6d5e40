-- System notices sent about a ticket that are not replies (chat transcripts, transcript codes): never
-- deduplicated by message, recorded without a message link.
ALTER TABLE email_outbound DROP CONSTRAINT IF EXISTS email_outbound_kind_check;
ALTER TABLE email_outbound ADD CONSTRAINT email_outbound_kind_check CHECK (kind IN ('reply', 'auto-ack', 'notice'));
