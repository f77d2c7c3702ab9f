-- The console's search finds intercoms (name and address) and locations (address) by part of
-- their text through trigram indexes, instead of reading every intercom and every CSA code.
CREATE VIRTUAL TABLE intercoms_search USING fts5(search, content='intercoms', content_rowid='id', tokenize='trigram');
INSERT INTO intercoms_search (rowid, search) SELECT id, search FROM intercoms;
CREATE TRIGGER intercoms_search_insert AFTER INSERT ON intercoms BEGIN
    INSERT INTO intercoms_search (rowid, search) VALUES (new.id, new.search);
END;
CREATE TRIGGER intercoms_search_delete AFTER DELETE ON intercoms BEGIN
    INSERT INTO intercoms_search (intercoms_search, rowid, search) VALUES ('delete', old.id, old.search);
END;
CREATE TRIGGER intercoms_search_update AFTER UPDATE OF search ON intercoms BEGIN
    INSERT INTO intercoms_search (intercoms_search, rowid, search) VALUES ('delete', old.id, old.search);
    INSERT INTO intercoms_search (rowid, search) VALUES (new.id, new.search);
END;

-- A location's address lives in the CSA directory: the index holds it under the location's
-- id, kept in step with both tables.
CREATE VIRTUAL TABLE locations_search USING fts5(address, tokenize='trigram');
INSERT INTO locations_search (rowid, address)
    SELECT l.id, a.city || ' ' || a.street || ' ' || a.house FROM locations l JOIN csa_codes a ON a.code = l.csa_code;
CREATE TRIGGER locations_search_insert AFTER INSERT ON locations BEGIN
    INSERT INTO locations_search (rowid, address)
        SELECT new.id, city || ' ' || street || ' ' || house FROM csa_codes WHERE code = new.csa_code;
END;
CREATE TRIGGER locations_search_delete AFTER DELETE ON locations BEGIN
    DELETE FROM locations_search WHERE rowid = old.id;
END;
CREATE TRIGGER locations_search_move AFTER UPDATE OF csa_code ON locations BEGIN
    DELETE FROM locations_search WHERE rowid = old.id;
    INSERT INTO locations_search (rowid, address)
        SELECT new.id, city || ' ' || street || ' ' || house FROM csa_codes WHERE code = new.csa_code;
END;
CREATE TRIGGER locations_search_address AFTER UPDATE OF city, street, house ON csa_codes BEGIN
    UPDATE locations_search SET address = new.city || ' ' || new.street || ' ' || new.house
        WHERE rowid = (SELECT id FROM locations WHERE csa_code = new.code);
END;
