-- The last TOTP time step an agent used. A code is accepted only for a later step (set with a
-- conditional UPDATE, so two requests racing with the same code cannot both pass): a code seen over a
-- shoulder or in a proxy log cannot be replayed inside its 90-second window.
ALTER TABLE agents ADD COLUMN totp_last_step bigint;
