-- The instance's secret generators, one row per type (ZITADEL's domain
-- numbers): how the notifications make codes and secrets. The expiry is
-- a Go duration (nanoseconds); the flags are 0/1.
CREATE TABLE secret_generators (
    instance_id           TEXT   NOT NULL,
    generator_type        BIGINT NOT NULL,
    length                BIGINT NOT NULL,
    expiry                BIGINT NOT NULL,
    include_lower_letters BIGINT NOT NULL,
    include_upper_letters BIGINT NOT NULL,
    include_digits        BIGINT NOT NULL,
    include_symbols       BIGINT NOT NULL,
    sequence              BIGINT NOT NULL,
    creation_date         BIGINT NOT NULL,
    change_date           BIGINT NOT NULL,
    PRIMARY KEY (instance_id, generator_type)
);

-- The domains, besides the instance's own, that the instance trusts.
CREATE TABLE instance_trusted_domains (
    instance_id   TEXT   NOT NULL,
    domain        TEXT   NOT NULL,
    sequence      BIGINT NOT NULL,
    creation_date BIGINT NOT NULL,
    PRIMARY KEY (instance_id, domain)
);

-- Uploaded files (the label policy's logos, icons and font), by owner and
-- key, with their content type; written beside the event that names them.
CREATE TABLE assets (
    instance_id   TEXT   NOT NULL,
    owner_id      TEXT   NOT NULL,
    asset_key     TEXT   NOT NULL,
    content_type  TEXT   NOT NULL,
    data          BLOB   NOT NULL,
    hash          TEXT   NOT NULL,
    change_date   BIGINT NOT NULL,
    PRIMARY KEY (instance_id, owner_id, asset_key)
);
