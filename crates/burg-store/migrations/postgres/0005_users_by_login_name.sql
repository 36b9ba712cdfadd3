-- Usernames are unique across the instance (ZITADEL's constraint under the
-- default domain policy): the check looks a name up without its organization.
CREATE INDEX users_by_login_name ON users (instance_id, lower(username));
