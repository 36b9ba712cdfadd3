-- The sealed client secret of an organization's OIDC IdP document, kept out
-- of `data` so that only an export with withPasswords opens it.
ALTER TABLE org_objects ADD COLUMN sealed_secret TEXT NOT NULL DEFAULT '';
