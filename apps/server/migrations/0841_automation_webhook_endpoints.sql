-- Each webhook URL an automation calls is an endpoint with its own signing secret (Standard Webhooks,
-- `whsec_…`), encrypted under the key ring's credentials key. A rotation keeps the previous secret for a
-- grace period, during which deliveries carry both signatures so the receiver can switch over.
CREATE TABLE automation_webhook_endpoints (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  workspace_id bigint NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  url text NOT NULL,
  secret_enc text NOT NULL,
  previous_secret_enc text,
  previous_valid_until timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  rotated_at timestamptz,
  UNIQUE (workspace_id, url)
);
