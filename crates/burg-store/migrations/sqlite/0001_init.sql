-- burg schema 1 (SQLite). The events table is the source of truth; every
-- other table is a projection updated in the same transaction as the events
-- it comes from. Times are microseconds since the Unix epoch.
-- Booleans are BIGINT 0/1 on both backends (sqlx's Any driver reads no SQLite BOOLEAN).

CREATE TABLE events (
    position        INTEGER PRIMARY KEY AUTOINCREMENT,
    instance_id     TEXT    NOT NULL,
    aggregate_type  TEXT    NOT NULL,
    aggregate_id    TEXT    NOT NULL,
    sequence        BIGINT  NOT NULL,
    event_type      TEXT    NOT NULL,
    payload         TEXT    NOT NULL,
    editor_user     TEXT    NOT NULL,
    editor_service  TEXT    NOT NULL,
    resource_owner  TEXT    NOT NULL,
    created_at      BIGINT  NOT NULL,
    UNIQUE (instance_id, aggregate_type, aggregate_id, sequence)
);
CREATE INDEX events_by_type ON events (instance_id, event_type);
CREATE INDEX events_by_owner ON events (instance_id, resource_owner);
CREATE INDEX events_by_time ON events (instance_id, created_at);

CREATE TABLE burg_meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE instances (
    id               TEXT PRIMARY KEY,
    name             TEXT    NOT NULL,
    state            INTEGER NOT NULL,
    default_language TEXT    NOT NULL,
    default_org_id   TEXT    NOT NULL,
    sequence         BIGINT  NOT NULL,
    creation_date    BIGINT  NOT NULL,
    change_date      BIGINT  NOT NULL
);

CREATE TABLE instance_domains (
    instance_id   TEXT    NOT NULL,
    domain        TEXT    NOT NULL,
    is_primary    BIGINT  NOT NULL,
    is_generated  BIGINT  NOT NULL,
    sequence      BIGINT  NOT NULL,
    creation_date BIGINT  NOT NULL,
    change_date   BIGINT  NOT NULL,
    PRIMARY KEY (instance_id, domain)
);

CREATE TABLE orgs (
    instance_id    TEXT    NOT NULL,
    id             TEXT    NOT NULL,
    name           TEXT    NOT NULL,
    state          INTEGER NOT NULL,
    primary_domain TEXT    NOT NULL,
    sequence       BIGINT  NOT NULL,
    creation_date  BIGINT  NOT NULL,
    change_date    BIGINT  NOT NULL,
    PRIMARY KEY (instance_id, id)
);
CREATE UNIQUE INDEX orgs_by_name ON orgs (instance_id, lower(name));

CREATE TABLE org_domains (
    instance_id     TEXT    NOT NULL,
    org_id          TEXT    NOT NULL,
    domain          TEXT    NOT NULL,
    is_verified     BIGINT  NOT NULL,
    is_primary      BIGINT  NOT NULL,
    validation_type INTEGER NOT NULL,
    sequence        BIGINT  NOT NULL,
    creation_date   BIGINT  NOT NULL,
    change_date     BIGINT  NOT NULL,
    PRIMARY KEY (instance_id, org_id, domain)
);
CREATE INDEX org_domains_by_domain ON org_domains (instance_id, domain);

CREATE TABLE users (
    instance_id              TEXT    NOT NULL,
    id                       TEXT    NOT NULL,
    resource_owner           TEXT    NOT NULL,
    user_type                INTEGER NOT NULL,
    state                    INTEGER NOT NULL,
    username                 TEXT    NOT NULL,
    first_name               TEXT    NOT NULL DEFAULT '',
    last_name                TEXT    NOT NULL DEFAULT '',
    nick_name                TEXT    NOT NULL DEFAULT '',
    display_name             TEXT    NOT NULL DEFAULT '',
    preferred_language       TEXT    NOT NULL DEFAULT '',
    gender                   INTEGER NOT NULL DEFAULT 0,
    email                    TEXT    NOT NULL DEFAULT '',
    email_verified           BIGINT  NOT NULL DEFAULT 0,
    phone                    TEXT    NOT NULL DEFAULT '',
    phone_verified           BIGINT  NOT NULL DEFAULT 0,
    password_hash            TEXT    NOT NULL DEFAULT '',
    password_change_required BIGINT  NOT NULL DEFAULT 0,
    passwordless_requested   BIGINT  NOT NULL DEFAULT 0,
    otp_secret               TEXT    NOT NULL DEFAULT '',
    machine_name             TEXT    NOT NULL DEFAULT '',
    machine_description      TEXT    NOT NULL DEFAULT '',
    access_token_type        INTEGER NOT NULL DEFAULT 0,
    sequence                 BIGINT  NOT NULL,
    creation_date            BIGINT  NOT NULL,
    change_date              BIGINT  NOT NULL,
    PRIMARY KEY (instance_id, id)
);
CREATE UNIQUE INDEX users_by_name ON users (instance_id, resource_owner, lower(username));
CREATE INDEX users_by_owner ON users (instance_id, resource_owner);

CREATE TABLE personal_access_tokens (
    instance_id   TEXT   NOT NULL,
    id            TEXT   NOT NULL,
    user_id       TEXT   NOT NULL,
    token_hash    TEXT   NOT NULL,
    expiration    BIGINT NOT NULL,
    scopes        TEXT   NOT NULL,
    sequence      BIGINT NOT NULL,
    creation_date BIGINT NOT NULL,
    change_date   BIGINT NOT NULL,
    PRIMARY KEY (instance_id, id)
);
CREATE UNIQUE INDEX pats_by_hash ON personal_access_tokens (token_hash);
CREATE INDEX pats_by_user ON personal_access_tokens (instance_id, user_id);

CREATE TABLE iam_members (
    instance_id   TEXT   NOT NULL,
    user_id       TEXT   NOT NULL,
    roles         TEXT   NOT NULL,
    sequence      BIGINT NOT NULL,
    creation_date BIGINT NOT NULL,
    change_date   BIGINT NOT NULL,
    PRIMARY KEY (instance_id, user_id)
);

CREATE TABLE org_members (
    instance_id   TEXT   NOT NULL,
    org_id        TEXT   NOT NULL,
    user_id       TEXT   NOT NULL,
    roles         TEXT   NOT NULL,
    sequence      BIGINT NOT NULL,
    creation_date BIGINT NOT NULL,
    change_date   BIGINT NOT NULL,
    PRIMARY KEY (instance_id, org_id, user_id)
);
CREATE INDEX org_members_by_user ON org_members (instance_id, user_id);

CREATE TABLE idp_templates (
    instance_id    TEXT    NOT NULL,
    id             TEXT    NOT NULL,
    resource_owner TEXT    NOT NULL,
    owner_type     INTEGER NOT NULL,
    name           TEXT    NOT NULL,
    idp_type       INTEGER NOT NULL,
    state          INTEGER NOT NULL,
    config         TEXT    NOT NULL,
    sequence       BIGINT  NOT NULL,
    creation_date  BIGINT  NOT NULL,
    change_date    BIGINT  NOT NULL,
    PRIMARY KEY (instance_id, id)
);
CREATE UNIQUE INDEX idp_templates_by_name ON idp_templates (instance_id, resource_owner, lower(name));

CREATE TABLE login_policies (
    instance_id   TEXT    NOT NULL,
    owner_id      TEXT    NOT NULL,
    is_default    BIGINT  NOT NULL,
    data          TEXT    NOT NULL,
    sequence      BIGINT  NOT NULL,
    creation_date BIGINT  NOT NULL,
    change_date   BIGINT  NOT NULL,
    PRIMARY KEY (instance_id, owner_id)
);

CREATE TABLE login_policy_idps (
    instance_id   TEXT    NOT NULL,
    owner_id      TEXT    NOT NULL,
    idp_id        TEXT    NOT NULL,
    owner_type    INTEGER NOT NULL,
    sequence      BIGINT  NOT NULL,
    creation_date BIGINT  NOT NULL,
    PRIMARY KEY (instance_id, owner_id, idp_id)
);
CREATE INDEX login_policy_idps_by_idp ON login_policy_idps (instance_id, idp_id);

CREATE TABLE user_idp_links (
    instance_id      TEXT   NOT NULL,
    user_id          TEXT   NOT NULL,
    idp_id           TEXT   NOT NULL,
    external_user_id TEXT   NOT NULL,
    display_name     TEXT   NOT NULL,
    resource_owner   TEXT   NOT NULL,
    sequence         BIGINT NOT NULL,
    creation_date    BIGINT NOT NULL,
    PRIMARY KEY (instance_id, idp_id, external_user_id)
);
CREATE INDEX user_idp_links_by_user ON user_idp_links (instance_id, user_id);

-- Documents of an organization that burg keeps as the export writes them
-- (projects, apps, grants, texts, ...): one row per object, JSON in `data`.
CREATE TABLE org_objects (
    instance_id   TEXT   NOT NULL,
    org_id        TEXT   NOT NULL,
    kind          TEXT   NOT NULL,
    object_key    TEXT   NOT NULL,
    parent_key    TEXT   NOT NULL,
    data          TEXT   NOT NULL,
    sequence      BIGINT NOT NULL,
    creation_date BIGINT NOT NULL,
    change_date   BIGINT NOT NULL,
    PRIMARY KEY (instance_id, org_id, kind, object_key)
);
CREATE INDEX org_objects_by_kind ON org_objects (instance_id, kind, object_key);
