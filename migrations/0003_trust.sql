-- The opt-out gate of a policy (PRODUCT.md §2, "no default consent before users could
-- say no"), and what it held back in each snapshot.
-- Landed migrations are never edited; change the schema with a new file.

-- The day the opt-out setting reached users; NULL when users could always opt out.
ALTER TABLE policies ADD COLUMN opt_out_available_from TEXT
    CHECK (opt_out_available_from IS NULL OR opt_out_available_from GLOB
           '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]');
ALTER TABLE policies ADD COLUMN notice_days INTEGER NOT NULL DEFAULT 30
    CHECK (notice_days >= 0);

-- Records excluded as no_consent only because of the gate; filled when sealed.
ALTER TABLE snapshots ADD COLUMN held_back_by_gate INTEGER;
