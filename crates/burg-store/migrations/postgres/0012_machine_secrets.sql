-- A machine user's client secret, as the hash ZITADEL's
-- `user.machine.secret.set` event carries ('' for none).
ALTER TABLE users ADD COLUMN machine_secret_hash TEXT NOT NULL DEFAULT '';
