-- The instance's notification providers: email (SMTP or HTTP) and SMS
-- (Twilio or HTTP), one row each. `config` is the provider as a document
-- (burg_domain::notify::Config), its secrets sealed; `state` 1 active,
-- 2 inactive, at most one active per channel.
CREATE TABLE notification_providers (
    instance_id    TEXT   NOT NULL,
    id             TEXT   NOT NULL,
    channel        TEXT   NOT NULL,
    resource_owner TEXT   NOT NULL,
    state          BIGINT NOT NULL,
    description    TEXT   NOT NULL,
    config         TEXT   NOT NULL,
    sequence       BIGINT NOT NULL,
    creation_date  BIGINT NOT NULL,
    change_date    BIGINT NOT NULL,
    PRIMARY KEY (instance_id, id)
);
CREATE INDEX notification_providers_by_channel ON notification_providers (instance_id, channel, creation_date);
