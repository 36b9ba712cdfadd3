-- A machine user's client secret, as the hash ZITADEL's
-- `user.machine.secret.set` event carries ('' for none).
ALTER TABLE users ADD COLUMN machine_secret_hash TEXT NOT NULL DEFAULT '';

-- A document's state where its kind has one (projects: 1 active,
-- 2 inactive); the exported document has none, as ZITADEL's.
ALTER TABLE org_objects ADD COLUMN state INTEGER NOT NULL DEFAULT 1;
