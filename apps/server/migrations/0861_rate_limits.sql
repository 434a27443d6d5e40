-- Rate-limit counters shared by every node (rate-limiter-flexible's RateLimiterPostgres layout:
-- key = "<policy>:<key>", expire in epoch milliseconds). UNLOGGED: counters need no crash safety or
-- replication, and skipping the WAL keeps a statement per counted request cheap.
CREATE UNLOGGED TABLE IF NOT EXISTS rate_limits (
  key varchar(255) PRIMARY KEY,
  points integer NOT NULL DEFAULT 0,
  expire bigint
);
