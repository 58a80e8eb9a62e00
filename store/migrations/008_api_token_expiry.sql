-- An API token may expire: from expires_at on (microseconds, UTC) it is refused like a
-- revoked one, and the account page says so. NULL: it never expires.
ALTER TABLE api_tokens ADD COLUMN expires_at INTEGER;
