-- Analytics (issue 16): rollups kept incrementally from the contributions that registered sources
-- (tickets, SLA, …) compute for a ticket. Reports read only analytics_rollups; drill-down reads
-- analytics_contributions; neither reads another module's tables.

-- The reporting time zone: a day/week/month is a calendar day in this zone (changing it rebuilds).
CREATE TABLE analytics_settings (
  workspace_id bigint PRIMARY KEY REFERENCES workspaces(id) ON DELETE CASCADE,
  time_zone text NOT NULL DEFAULT 'UTC',
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- Tickets whose contributions must be recomputed (marked by event listeners, emptied by the flush).
CREATE TABLE analytics_dirty (
  workspace_id bigint NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  subject_id bigint NOT NULL,
  marked_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (workspace_id, subject_id)
);

-- What one ticket adds to one metric (seq: the n-th solve, reopen, SLA cycle …). Excluded rows stay
-- with the rule that excluded them, so a figure can list what it left out.
CREATE TABLE analytics_contributions (
  workspace_id bigint NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  subject_id bigint NOT NULL,
  metric text NOT NULL,
  seq integer NOT NULL DEFAULT 0,
  at timestamptz NOT NULL,
  day date NOT NULL,
  value double precision,
  included boolean NOT NULL,
  reason text,
  dims jsonb NOT NULL DEFAULT '{}',
  PRIMARY KEY (workspace_id, subject_id, metric, seq)
);
CREATE INDEX analytics_contributions_drill ON analytics_contributions (workspace_id, metric, day);

-- Sums per workspace, metric, dimension value, local day and duration bucket (width_bucket over the
-- fixed edges in buckets.ts; 0 for counts, -1 for excluded rows), so averages, medians and p90 come
-- from here. dim '' / value '' is the unfiltered total.
CREATE TABLE analytics_rollups (
  workspace_id bigint NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  metric text NOT NULL,
  dim text NOT NULL,
  dim_value text NOT NULL,
  day date NOT NULL,
  bucket smallint NOT NULL,
  n bigint NOT NULL,
  total double precision NOT NULL,
  PRIMARY KEY (workspace_id, metric, dim, dim_value, day, bucket)
);
