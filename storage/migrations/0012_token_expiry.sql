-- Tokens may expire (token create --expires, the demo's session token);
-- NULL keeps the earlier meaning: valid until revoked.
ALTER TABLE api_tokens ADD COLUMN expires_at {{TIME}};
