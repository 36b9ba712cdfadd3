-- Organization metadata (SetOrgMetadata, ...): the value as base64, as the
-- org.metadata.set event carries it.
CREATE TABLE org_metadata (
    instance_id   TEXT   NOT NULL,
    org_id        TEXT   NOT NULL,
    meta_key      TEXT   NOT NULL,
    meta_value    TEXT   NOT NULL,
    sequence      BIGINT NOT NULL,
    creation_date BIGINT NOT NULL,
    change_date   BIGINT NOT NULL,
    PRIMARY KEY (instance_id, org_id, meta_key)
);

-- The sealed challenge of a domain's pending validation (GenerateOrgDomainValidation).
ALTER TABLE org_domains ADD COLUMN validation_code TEXT NOT NULL DEFAULT '';
