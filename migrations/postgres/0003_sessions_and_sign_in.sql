-- Sessions that end with their reason, and a sign-in throttle that counts before hashing.

-- An impersonation belongs to the administrator session that started it: it ends when that
-- session ends (sign-out, expiry) and is refused once the administrator is disabled or
-- loses the permission.
ALTER TABLE impersonation_tokens ADD COLUMN admin_session TEXT;
ALTER TABLE user_sessions ADD COLUMN admin_session TEXT;
CREATE INDEX user_sessions_admin_session ON user_sessions (admin_session);
CREATE INDEX user_sessions_impersonator ON user_sessions (impersonator_id);
-- Retention removes what has expired.
CREATE INDEX admin_sessions_expires ON admin_sessions (expires_at);
CREATE INDEX user_sessions_expires ON user_sessions (expires_at);
CREATE INDEX impersonation_tokens_expires ON impersonation_tokens (expires_at);

-- Sign-in attempts per key: a login (as a keyed hash, never the typed text) or a client
-- address, per realm. An attempt is counted before its password is checked.
DROP TABLE login_throttle;
CREATE TABLE sign_in_throttle (
    throttle_key TEXT PRIMARY KEY,
    attempts BIGINT NOT NULL,
    last_attempt_at BIGINT NOT NULL,
    blocked_until BIGINT NOT NULL
);
CREATE INDEX sign_in_throttle_last ON sign_in_throttle (last_attempt_at);

-- Keys the server makes once, shared by every process (unless VMS_SECRET_KEY is set).
CREATE TABLE server_keys (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
