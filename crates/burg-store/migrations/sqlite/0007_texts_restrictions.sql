-- Custom texts (message texts, later login texts): one row per owner (the
-- instance, or an organization), template, language and key. A key that
-- was set and then emptied keeps its row with an empty text, so the
-- template stays customized until it is reset (as ZITADEL's projection).
CREATE TABLE custom_texts (
    instance_id   TEXT   NOT NULL,
    owner_id      TEXT   NOT NULL,
    template      TEXT   NOT NULL,
    language      TEXT   NOT NULL,
    text_key      TEXT   NOT NULL,
    text          TEXT   NOT NULL,
    sequence      BIGINT NOT NULL,
    creation_date BIGINT NOT NULL,
    change_date   BIGINT NOT NULL,
    PRIMARY KEY (instance_id, owner_id, template, language, text_key)
);
-- The instance's restrictions (the `restrictions` aggregate): allowed
-- languages as JSON, `null` until a list was set, an empty array when
-- every supported language is allowed.
CREATE TABLE restrictions (
    instance_id                      TEXT   NOT NULL PRIMARY KEY,
    aggregate_id                     TEXT   NOT NULL,
    disallow_public_org_registration BIGINT NOT NULL,
    allowed_languages                TEXT   NOT NULL,
    sequence                         BIGINT NOT NULL,
    creation_date                    BIGINT NOT NULL,
    change_date                      BIGINT NOT NULL
);
