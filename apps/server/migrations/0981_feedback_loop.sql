-- The feedback loop (issue #15): the shopper's language on site feedback (the "we changed it" notice is
-- written in it), and the topic of a survey answer (comments and reasons are grouped like site feedback).
ALTER TABLE feedback_items ADD COLUMN locale text;
ALTER TABLE feedback_surveys ADD COLUMN topic_id bigint REFERENCES feedback_topics(id) ON DELETE SET NULL;
CREATE INDEX feedback_items_topic ON feedback_items (workspace_id, topic_id, created_at DESC);
CREATE INDEX feedback_improvement_links_ws ON feedback_improvement_links (workspace_id, source, source_id);
