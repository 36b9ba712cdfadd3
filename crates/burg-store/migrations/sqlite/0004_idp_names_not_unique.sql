-- As ZITADEL: identity providers' names are neither unique nor required
-- (two unnamed GitHub providers may live side by side).
DROP INDEX idp_templates_by_name;
