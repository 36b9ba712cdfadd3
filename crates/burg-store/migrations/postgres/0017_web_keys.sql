-- The instance's web keys (`web_key.*`): the keys that sign the tokens it
-- issues. `private_key` is the sealed PKCS #8 (as the event carries it),
-- `public_key` the JSON Web Key; `state` is ZITADEL's (1 initial, 2 active,
-- 3 inactive). A removed key's row is deleted.
CREATE TABLE web_keys (
    instance_id   TEXT    NOT NULL,
    id            TEXT    NOT NULL,
    state         INTEGER NOT NULL,
    config_type   TEXT    NOT NULL,
    config        TEXT    NOT NULL,
    private_key   TEXT    NOT NULL,
    public_key    TEXT    NOT NULL,
    sequence      BIGINT  NOT NULL,
    creation_date BIGINT  NOT NULL,
    change_date   BIGINT  NOT NULL,
    PRIMARY KEY (instance_id, id)
);
-- One active key per instance: of two nodes activating at once, one
-- fails here and retries.
CREATE UNIQUE INDEX web_keys_one_active ON web_keys (instance_id) WHERE state = 2;
