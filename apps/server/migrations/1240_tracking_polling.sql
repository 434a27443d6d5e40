-- Carrier polling (docs/tracking.md "Polling"): a source with an API key polls the aggregator for
-- parcels that no webhook keeps up to date. The key is encrypted with the KeyRing like the webhook
-- secret; paused_until holds the provider's rate-limit window (its reset header) so no node polls
-- before it ends. Each parcel keeps its own next poll time and failure count (backoff) and the
-- provider's reference for it (an EasyPost tracker id).
ALTER TABLE tracking_sources
  ADD COLUMN api_key_enc text,
  ADD COLUMN poll_minutes int,
  ADD COLUMN paused_until timestamptz,
  ADD COLUMN last_poll_at timestamptz,
  ADD COLUMN last_poll_error text;

ALTER TABLE shipments
  ADD COLUMN next_poll_at timestamptz,
  ADD COLUMN poll_failures int NOT NULL DEFAULT 0,
  ADD COLUMN poll_ref text;
CREATE INDEX shipments_poll_due ON shipments (workspace_id, next_poll_at)
  WHERE status NOT IN ('delivered', 'expired');
