-- Substring search on users.search (name and login) through a trigram index: the users
-- list's search reads matching rows instead of scanning every account.
CREATE VIRTUAL TABLE users_search USING fts5(search, content='users', content_rowid='id', tokenize='trigram');
INSERT INTO users_search (rowid, search) SELECT id, search FROM users;
CREATE TRIGGER users_search_insert AFTER INSERT ON users BEGIN
    INSERT INTO users_search (rowid, search) VALUES (new.id, new.search);
END;
CREATE TRIGGER users_search_delete AFTER DELETE ON users BEGIN
    INSERT INTO users_search (users_search, rowid, search) VALUES ('delete', old.id, old.search);
END;
CREATE TRIGGER users_search_update AFTER UPDATE OF search ON users BEGIN
    INSERT INTO users_search (users_search, rowid, search) VALUES ('delete', old.id, old.search);
    INSERT INTO users_search (rowid, search) VALUES (new.id, new.search);
END;
