-- One table for every settings document (policies and the like): the
-- instance's default (owner_id = instance_id) and organizations' own values,
-- one row per owner and kind (`policy.login`, …). The login policies move in.
CREATE TABLE settings (
    instance_id   TEXT   NOT NULL,
    owner_id      TEXT   NOT NULL,
    kind          TEXT   NOT NULL,
    data          TEXT   NOT NULL,
    sequence      BIGINT NOT NULL,
    creation_date BIGINT NOT NULL,
    change_date   BIGINT NOT NULL,
    PRIMARY KEY (instance_id, owner_id, kind)
);
INSERT INTO settings (instance_id, owner_id, kind, data, sequence, creation_date, change_date)
    SELECT instance_id, owner_id, 'policy.login', data, sequence, creation_date, change_date FROM login_policies;
DROP TABLE login_policies;
