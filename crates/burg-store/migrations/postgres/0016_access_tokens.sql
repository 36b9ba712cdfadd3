-- Access tokens issued at the token endpoint (`user.token.added`): only
-- their SHA-256 is kept, as for personal access tokens.
CREATE TABLE access_tokens (
    instance_id   TEXT   NOT NULL,
    id            TEXT   NOT NULL,
    user_id       TEXT   NOT NULL,
    token_hash    TEXT   NOT NULL,
    client_id     TEXT   NOT NULL,
    audience      TEXT   NOT NULL,
    scopes        TEXT   NOT NULL,
    expiration    BIGINT NOT NULL,
    creation_date BIGINT NOT NULL,
    PRIMARY KEY (instance_id, id)
);
CREATE UNIQUE INDEX access_tokens_by_hash ON access_tokens (token_hash);
CREATE INDEX access_tokens_by_user ON access_tokens (instance_id, user_id);
