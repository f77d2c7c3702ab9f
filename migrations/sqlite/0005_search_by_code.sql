-- The console's search finds locations by the beginning of their CSA code as a range of
-- this index.
CREATE INDEX csa_codes_code_lower ON csa_codes (LOWER(code));
