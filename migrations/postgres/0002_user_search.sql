-- Substring search on users.search (name and login) through a trigram index: the users
-- list's search (LIKE '%term%') reads matching rows instead of scanning every account.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX users_roots_search_trgm ON users USING gin (search gin_trgm_ops) WHERE parent_id IS NULL;
