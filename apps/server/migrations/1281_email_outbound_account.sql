-- Agents' invitation and reset mails: recorded (who, when, how) without their bytes.
ALTER TABLE email_outbound DROP CONSTRAINT email_outbound_kind_check;
ALTER TABLE email_outbound ADD CONSTRAINT email_outbound_kind_check
  CHECK (kind IN ('reply', 'auto-ack', 'notice', 'account'));
