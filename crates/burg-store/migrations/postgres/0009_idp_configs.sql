-- Identity-provider configurations of ZITADEL's first IdP API (AddOIDCIDP,
-- AddJWTIDP, ...): the whole configuration as a document, its name and
-- state beside it for lists. Each is a template too (idp_templates).
CREATE TABLE idp_configs (
    instance_id    TEXT    NOT NULL,
    id             TEXT    NOT NULL,
    resource_owner TEXT    NOT NULL,
    owner_type     INTEGER NOT NULL,
    name           TEXT    NOT NULL,
    state          INTEGER NOT NULL,
    config         TEXT    NOT NULL,
    sequence       BIGINT  NOT NULL,
    creation_date  BIGINT  NOT NULL,
    change_date    BIGINT  NOT NULL,
    PRIMARY KEY (instance_id, id)
);
CREATE INDEX idp_configs_by_owner ON idp_configs (instance_id, resource_owner, name);
