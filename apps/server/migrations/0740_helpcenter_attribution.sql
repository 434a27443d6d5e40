-- Help-center signals that stay true when shoppers type and when they write through other channels.
--
-- 1. Contact-form live suggestions: one search row and one "suggested" row per form (its one-time
--    key), updated as the shopper's subject grows, so every pause while typing is not a search of its
--    own (they filled the no-result report with half-typed words and inflated "suggested").
ALTER TABLE hc_search_queries ADD COLUMN form_key text;
CREATE UNIQUE INDEX hc_search_queries_form ON hc_search_queries (workspace_id, form_key)
  WHERE form_key IS NOT NULL;
ALTER TABLE hc_deflections ADD COLUMN form_key text;
CREATE UNIQUE INDEX hc_deflections_form ON hc_deflections (workspace_id, form_key)
  WHERE form_key IS NOT NULL AND outcome = 'suggested';

-- 2. Tickets after viewing, for chat and e-mail too: the e-mail addresses a portal visitor (cookie)
--    gave us — on the contact form, or as the order's address on a successful order lookup — so a
--    chat or e-mail ticket from that address can be traced to the articles that visitor read.
ALTER TABLE hc_deflections DROP CONSTRAINT hc_deflections_source_check;
ALTER TABLE hc_deflections ADD CONSTRAINT hc_deflections_source_check
  CHECK (source IN ('contact-form', 'bot', 'chat', 'email'));
-- One "ticket created" row per ticket and source (listeners run at least once).
DELETE FROM hc_deflections a USING hc_deflections b
  WHERE a.outcome = 'ticket_created' AND b.outcome = 'ticket_created' AND a.ticket_id = b.ticket_id
    AND a.source = b.source AND a.id > b.id;
CREATE UNIQUE INDEX hc_deflections_ticket ON hc_deflections (ticket_id, source)
  WHERE outcome = 'ticket_created' AND ticket_id IS NOT NULL;

CREATE TABLE hc_visitor_emails (
  workspace_id bigint NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  visitor_key text NOT NULL,
  email text NOT NULL,
  seen_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (workspace_id, visitor_key, email)
);
CREATE INDEX hc_visitor_emails_email ON hc_visitor_emails (workspace_id, email, seen_at DESC);
