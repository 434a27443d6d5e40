-- The scheduled scan pages through a workspace's open tickets by id within a time budget; where a run
-- stopped is kept here so the next run resumes there (a finished pass starts over from the beginning).
CREATE TABLE automation_scan_cursors (
  workspace_id bigint PRIMARY KEY REFERENCES workspaces(id) ON DELETE CASCADE,
  after_ticket_id bigint NOT NULL DEFAULT 0,
  updated_at timestamptz NOT NULL DEFAULT now()
);
-- The scan's keyset: open tickets of a workspace in id order.
CREATE INDEX tickets_open_by_id ON tickets (workspace_id, id)
  WHERE merged_into_id IS NULL AND status IN ('new', 'open', 'pending', 'on-hold');
