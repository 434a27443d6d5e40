-- A saved view an agent owns can be shared with the workspace (issue #24): visible to every agent, changed
-- by its owner and admins. Views without an owner (agent_id NULL, e.g. the seeded ones) stay shared as before.
ALTER TABLE views ADD COLUMN shared boolean NOT NULL DEFAULT false;
