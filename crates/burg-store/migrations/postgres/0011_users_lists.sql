-- The Management API's user lists: an organization's users in creation
-- order (ListUsers' default) or by user name, and users by email
-- (IsUserUnique, the email queries).
CREATE INDEX users_by_owner_created ON users (instance_id, resource_owner, creation_date, id);
CREATE INDEX users_by_email ON users (instance_id, lower(email));
CREATE INDEX users_by_owner_username ON users (instance_id, resource_owner, username);
