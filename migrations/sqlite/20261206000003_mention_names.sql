-- Mentions are looked up by name (`@Name`, in any case), so that finding whom a message names
-- reads the few beings of that name, not every member of the space.
CREATE INDEX beings_by_lower_name ON beings (lower(name));
