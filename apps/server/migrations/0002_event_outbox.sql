-- Domain events written in the same transaction as the change they describe. The publishing node
-- deletes a row once its listeners ran; a row left behind means that node died between commit and
-- publish, and another node (or this one after a restart) replays it.
CREATE TABLE event_outbox (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  event jsonb NOT NULL,
  node_id text NOT NULL,
  attempts integer NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL DEFAULT now(),
  claimed_at timestamptz
);
