-- The console's search finds cameras by part of their name through a trigram index instead
-- of reading every camera.
CREATE VIRTUAL TABLE cameras_search USING fts5(name, content='cameras', content_rowid='id', tokenize='trigram');
INSERT INTO cameras_search (rowid, name) SELECT id, name FROM cameras;
CREATE TRIGGER cameras_search_insert AFTER INSERT ON cameras BEGIN
    INSERT INTO cameras_search (rowid, name) VALUES (new.id, new.name);
END;
CREATE TRIGGER cameras_search_delete AFTER DELETE ON cameras BEGIN
    INSERT INTO cameras_search (cameras_search, rowid, name) VALUES ('delete', old.id, old.name);
END;
CREATE TRIGGER cameras_search_update AFTER UPDATE OF name ON cameras BEGIN
    INSERT INTO cameras_search (cameras_search, rowid, name) VALUES ('delete', old.id, old.name);
    INSERT INTO cameras_search (rowid, name) VALUES (new.id, new.name);
END;
