-- QA scorecards and conversation reviews (issue #21, modules/quality).

-- A scorecard's current settings; its categories live in versions, so editing them never changes
-- the version an older review was scored with.
CREATE TABLE qa_scorecards (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  workspace_id bigint NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  name text NOT NULL,
  active boolean NOT NULL DEFAULT true,
  version integer NOT NULL DEFAULT 1,
  channels text[] NOT NULL DEFAULT '{}',
  tags text[] NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX qa_scorecards_workspace ON qa_scorecards (workspace_id, id);

CREATE TABLE qa_scorecard_versions (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  workspace_id bigint NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  scorecard_id bigint NOT NULL REFERENCES qa_scorecards(id) ON DELETE CASCADE,
  version integer NOT NULL,
  name text NOT NULL,
  categories jsonb NOT NULL,
  created_by bigint REFERENCES agents(id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (scorecard_id, version)
);

-- One review per reviewer and conversation; the score is computed once, when it is submitted.
CREATE TABLE qa_reviews (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  workspace_id bigint NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  ticket_id bigint NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
  scorecard_version_id bigint NOT NULL REFERENCES qa_scorecard_versions(id),
  reviewer_id bigint REFERENCES agents(id) ON DELETE SET NULL,
  reviewee_id bigint REFERENCES agents(id) ON DELETE SET NULL,
  source text NOT NULL CHECK (source IN ('manual', 'random', 'risk')),
  ratings jsonb NOT NULL,
  message_comments jsonb NOT NULL DEFAULT '[]',
  comment text NOT NULL DEFAULT '',
  score double precision,
  critical_failed boolean NOT NULL DEFAULT false,
  status text NOT NULL DEFAULT 'submitted' CHECK (status IN ('submitted', 'acknowledged', 'disputed')),
  acknowledged_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (workspace_id, ticket_id, reviewer_id)
);
CREATE INDEX qa_reviews_reviewee ON qa_reviews (workspace_id, reviewee_id, created_at DESC);
CREATE INDEX qa_reviews_created ON qa_reviews (workspace_id, created_at DESC);

-- The conversation about a review: the agent's comments and disputes, the reviewer's answers.
CREATE TABLE qa_review_comments (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  workspace_id bigint NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  review_id bigint NOT NULL REFERENCES qa_reviews(id) ON DELETE CASCADE,
  author_id bigint REFERENCES agents(id) ON DELETE SET NULL,
  kind text NOT NULL CHECK (kind IN ('comment', 'dispute')),
  category text,
  body text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX qa_review_comments_review ON qa_review_comments (review_id, id);
