-- Indexes the benchmark suite showed were needed at 1M tickets / 3M messages (docs/benchmarks.md).

-- The default inbox is "active" (new, open, pending, on-hold), newest activity first. Active tickets
-- are a few percent of a mature desk, so these partial indexes stay small, and the page is read in
-- order instead of filtering the whole history by status (or sorting every active ticket).
CREATE INDEX tickets_active ON tickets (workspace_id, last_message_at DESC, id DESC)
  WHERE status IN ('new', 'open', 'pending', 'on-hold');
CREATE INDEX tickets_active_assignee ON tickets (workspace_id, assignee_id, last_message_at DESC, id DESC)
  WHERE status IN ('new', 'open', 'pending', 'on-hold');

-- Search ranks the most recent matching messages of a workspace: for a common word it walks this
-- index newest first instead of fetching every match from the GIN index.
CREATE INDEX messages_workspace_recent ON messages (workspace_id, id DESC);
