-- An application's client secret, as the hash ZITADEL's
-- `project.application.config.{oidc,api}.added` and `secret.changed`
-- events carry ('' for none); never exported.
ALTER TABLE org_objects ADD COLUMN secret_hash TEXT NOT NULL DEFAULT '';
