-- Presence by node lease: a node renews one row of its own, not each of its presence rows.
-- A presence row is written when a being comes (its stream opens) and deleted when it goes;
-- it is live while its node's lease is. A node that dies stops renewing its lease, and any
-- other node deletes its presence rows (and tells the spaces) once the lease has run out.
CREATE TABLE node_leases (
    node_id    UUID   PRIMARY KEY,
    renewed_at BIGINT NOT NULL
);
CREATE INDEX node_leases_by_renewal ON node_leases (renewed_at);

DROP INDEX presence_by_renewal;
ALTER TABLE presence RENAME COLUMN renewed_at TO since;
