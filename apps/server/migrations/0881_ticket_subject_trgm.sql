-- Dashboard search forgives typos in ticket subjects (issue #24): trigram word similarity on the subject,
-- as contact names already have (contacts_name_trgm).
CREATE INDEX IF NOT EXISTS tickets_subject_trgm ON tickets USING gin (subject gin_trgm_ops);
