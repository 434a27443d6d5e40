-- Sender verification of inbound mail (SPF/DKIM/DMARC/ARC with mailauth): the verdict and the checks'
-- results, recorded with the message each email became. NULL: processed before verification existed.
ALTER TABLE email_inbound ADD COLUMN sender_auth text;
ALTER TABLE email_inbound ADD COLUMN auth_results jsonb;
