-- The console's search finds cameras by part of their name through a trigram index instead
-- of reading every camera.
CREATE INDEX cameras_name_trgm ON cameras USING gin (LOWER(name) gin_trgm_ops);
-- And locations by part of their CSA code or address.
CREATE INDEX csa_codes_code_trgm ON csa_codes USING gin (LOWER(code) gin_trgm_ops);
CREATE INDEX csa_codes_address_trgm ON csa_codes USING gin ((LOWER(city || ' ' || street || ' ' || house)) gin_trgm_ops);
