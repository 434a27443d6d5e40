-- Per-line outcomes (#14): each line of a return carries its own outcome (refund, store credit,
-- exchange, keep) and what it gives; a return whose lines differ is 'mixed'. The store action that
-- resolved a line is kept on the line so a retry after a partial store failure never runs a group twice.
ALTER TABLE returns DROP CONSTRAINT IF EXISTS returns_outcome_check;
ALTER TABLE returns ADD CONSTRAINT returns_outcome_check
  CHECK (outcome IN ('refund', 'store_credit', 'exchange', 'keep', 'mixed'));

ALTER TABLE return_lines ADD COLUMN outcome text
  CHECK (outcome IS NULL OR outcome IN ('refund', 'store_credit', 'exchange', 'keep'));
ALTER TABLE return_lines ADD COLUMN amount_minor bigint;
ALTER TABLE return_lines ADD COLUMN fee_minor bigint NOT NULL DEFAULT 0;
ALTER TABLE return_lines ADD COLUMN bonus_minor bigint NOT NULL DEFAULT 0;
ALTER TABLE return_lines ADD COLUMN order_action_id bigint;

-- Lines written before this migration take their return's outcome and share its value.
UPDATE return_lines l SET outcome = r.outcome FROM returns r WHERE r.id = l.return_id AND l.outcome IS NULL;
