-- A database's roles being revoked, read with the roles of the members a page shows
-- (Conn.AccessRolesShown), found without reading the database's other roles.
CREATE INDEX access_roles_revoking ON access_roles (database_id) WHERE state = 'revoking';
