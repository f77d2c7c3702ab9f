-- The console's search (and the intercoms list) finds intercoms by part of their name or
-- address through a trigram index instead of reading every intercom. Locations' addresses
-- have theirs already (csa_codes_address_trgm).
CREATE INDEX intercoms_search_trgm ON intercoms USING gin (search gin_trgm_ops);
