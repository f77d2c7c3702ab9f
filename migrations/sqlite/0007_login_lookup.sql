-- Logins are unique whatever their case: sign-ins and the checks that a new login is free
-- look them up by LOWER(login), through these indexes instead of reading every account.
CREATE INDEX users_login_lower ON users (LOWER(login));
CREATE INDEX administrators_login_lower ON administrators (LOWER(login));
