-- Certificates of an inbox's IMAP server and SMTP relay are verified. An admin may opt out per inbox
-- (self-signed or expired certificates on a private server); the dashboard labels that unsafe.
ALTER TABLE email_inboxes ADD COLUMN accept_invalid_certs boolean NOT NULL DEFAULT false;
-- Why the last send through this inbox's relay failed (certificate, login, refused), cleared by the
-- next message it sends; shown with the inbox like the IMAP error.
ALTER TABLE email_inboxes ADD COLUMN relay_last_error text;
ALTER TABLE email_inboxes ADD COLUMN relay_last_error_at timestamptz;
