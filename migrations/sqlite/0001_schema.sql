-- The whole data model of the specification (§2). Times are epoch milliseconds (UTC),
-- JSON documents are text, flags are 0/1 integers: one set of queries serves both backends.

CREATE TABLE csa_codes (
    code TEXT PRIMARY KEY,
    city TEXT NOT NULL,
    street TEXT NOT NULL,
    house TEXT NOT NULL,
    entrance TEXT NOT NULL DEFAULT ''
);

-- Users created by billing (parent_id NULL) and their sub-users (parent_id set).
CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    parent_id BIGINT REFERENCES users (id),
    entity TEXT UNIQUE,
    login TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    properties TEXT NOT NULL DEFAULT '{}',
    status TEXT NOT NULL DEFAULT 'active',
    search TEXT NOT NULL,
    access_version BIGINT NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    deleted_at BIGINT
);
CREATE INDEX users_roots_created ON users (created_at, id) WHERE parent_id IS NULL;
CREATE INDEX users_roots_status_created ON users (status, created_at, id) WHERE parent_id IS NULL;
CREATE INDEX users_roots_name ON users (name, id) WHERE parent_id IS NULL;
CREATE INDEX users_roots_login ON users (login, id) WHERE parent_id IS NULL;
CREATE INDEX users_parent ON users (parent_id, created_at, id);
CREATE INDEX users_deleted ON users (deleted_at) WHERE deleted_at IS NOT NULL;

CREATE TABLE user_permissions (
    user_id BIGINT NOT NULL REFERENCES users (id),
    slug TEXT NOT NULL,
    PRIMARY KEY (user_id, slug)
);

CREATE TABLE administrators (
    id INTEGER PRIMARY KEY,
    login TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL,
    scope_all BIGINT NOT NULL DEFAULT 1,
    disabled_at BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE administrator_permissions (
    admin_id BIGINT NOT NULL REFERENCES administrators (id),
    slug TEXT NOT NULL,
    PRIMARY KEY (admin_id, slug)
);

CREATE TABLE administrator_scope_locations (
    admin_id BIGINT NOT NULL REFERENCES administrators (id),
    csa_code TEXT NOT NULL,
    PRIMARY KEY (admin_id, csa_code)
);

CREATE TABLE administrator_scope_cameras (
    admin_id BIGINT NOT NULL REFERENCES administrators (id),
    camera_id BIGINT NOT NULL,
    PRIMARY KEY (admin_id, camera_id)
);

-- Session tokens are stored as SHA-256 hashes only.
CREATE TABLE admin_sessions (
    token_hash TEXT PRIMARY KEY,
    admin_id BIGINT NOT NULL REFERENCES administrators (id),
    created_at BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX admin_sessions_admin ON admin_sessions (admin_id);

CREATE TABLE user_sessions (
    token_hash TEXT PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users (id),
    impersonator_id BIGINT REFERENCES administrators (id),
    created_at BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX user_sessions_user ON user_sessions (user_id);

CREATE TABLE impersonation_tokens (
    token_hash TEXT PRIMARY KEY,
    admin_id BIGINT NOT NULL REFERENCES administrators (id),
    user_id BIGINT NOT NULL REFERENCES users (id),
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at BIGINT
);
CREATE INDEX impersonation_tokens_user ON impersonation_tokens (user_id);

-- Failed sign-ins per login, to slow down guessing.
CREATE TABLE login_throttle (
    realm TEXT NOT NULL,
    login TEXT NOT NULL,
    failures BIGINT NOT NULL,
    last_failure_at BIGINT NOT NULL,
    PRIMARY KEY (realm, login)
);

CREATE TABLE locations (
    id INTEGER PRIMARY KEY,
    csa_code TEXT NOT NULL UNIQUE REFERENCES csa_codes (code),
    name TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL
);

CREATE TABLE user_locations (
    user_id BIGINT NOT NULL REFERENCES users (id),
    location_id BIGINT NOT NULL REFERENCES locations (id),
    created_at BIGINT NOT NULL,
    PRIMARY KEY (user_id, location_id)
);
CREATE INDEX user_locations_location ON user_locations (location_id);

CREATE TABLE cameras (
    id INTEGER PRIMARY KEY,
    mac TEXT NOT NULL UNIQUE,
    serial_number TEXT NOT NULL,
    name TEXT NOT NULL,
    model TEXT NOT NULL DEFAULT '',
    location_id BIGINT REFERENCES locations (id),
    source TEXT NOT NULL DEFAULT 'billing',
    created_at BIGINT NOT NULL
);
CREATE INDEX cameras_location ON cameras (location_id);

CREATE TABLE camera_streams (
    camera_id BIGINT NOT NULL REFERENCES cameras (id),
    stream TEXT NOT NULL CHECK (stream IN ('high', 'low')),
    up BIGINT NOT NULL,
    changed_at BIGINT NOT NULL,
    PRIMARY KEY (camera_id, stream)
);

-- Which users and sub-users may see which cameras.
CREATE TABLE camera_access (
    user_id BIGINT NOT NULL REFERENCES users (id),
    camera_id BIGINT NOT NULL REFERENCES cameras (id),
    granted_at BIGINT NOT NULL,
    PRIMARY KEY (user_id, camera_id)
);
CREATE INDEX camera_access_camera ON camera_access (camera_id);

CREATE TABLE intercoms (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    csa_code TEXT NOT NULL REFERENCES csa_codes (code),
    department TEXT NOT NULL,
    flat_from BIGINT NOT NULL,
    flat_to BIGINT NOT NULL,
    search TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX intercoms_created ON intercoms (created_at, id);

CREATE TABLE apartment_links (
    id INTEGER PRIMARY KEY,
    intercom_id BIGINT NOT NULL REFERENCES intercoms (id),
    flat BIGINT NOT NULL,
    user_id BIGINT NOT NULL REFERENCES users (id),
    created_at BIGINT NOT NULL,
    UNIQUE (intercom_id, flat, user_id)
);
CREATE INDEX apartment_links_user ON apartment_links (user_id, created_at, id);

CREATE TABLE apartment_keys (
    id INTEGER PRIMARY KEY,
    link_id BIGINT NOT NULL REFERENCES apartment_links (id),
    intercom_id BIGINT NOT NULL REFERENCES intercoms (id),
    code TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    UNIQUE (intercom_id, code)
);
CREATE INDEX apartment_keys_link ON apartment_keys (link_id);

-- zero_since: when the total last became 0 (retention of that level's analytics, §8).
CREATE TABLE licences (
    user_id BIGINT NOT NULL REFERENCES users (id),
    level BIGINT NOT NULL CHECK (level BETWEEN 1 AND 3),
    total BIGINT NOT NULL,
    zero_since BIGINT,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (user_id, level)
);

-- account_id: the billing user the case counts against (the owner itself, or its parent).
CREATE TABLE analytics_cases (
    id INTEGER PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users (id),
    account_id BIGINT NOT NULL REFERENCES users (id),
    name TEXT NOT NULL,
    type TEXT NOT NULL,
    level BIGINT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX analytics_cases_account ON analytics_cases (account_id, level);
CREATE INDEX analytics_cases_user ON analytics_cases (user_id, created_at, id);

CREATE TABLE case_cameras (
    case_id BIGINT NOT NULL REFERENCES analytics_cases (id),
    camera_id BIGINT NOT NULL REFERENCES cameras (id),
    PRIMARY KEY (case_id, camera_id)
);
CREATE INDEX case_cameras_camera ON case_cameras (camera_id);

CREATE TABLE case_events (
    id INTEGER PRIMARY KEY,
    case_id BIGINT NOT NULL REFERENCES analytics_cases (id),
    kind TEXT NOT NULL,
    occurred_at BIGINT NOT NULL,
    data TEXT NOT NULL,
    received_at BIGINT NOT NULL
);
CREATE INDEX case_events_case ON case_events (case_id, occurred_at, id);

-- One row per billing request id; payload has passwords redacted.
CREATE TABLE billing_events (
    id INTEGER PRIMARY KEY,
    request_id TEXT NOT NULL UNIQUE,
    type TEXT NOT NULL,
    entity TEXT NOT NULL,
    user_id BIGINT REFERENCES users (id),
    body_hash TEXT NOT NULL,
    payload TEXT NOT NULL,
    outcome TEXT NOT NULL,
    status BIGINT NOT NULL,
    response TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX billing_events_user ON billing_events (user_id, created_at, id);
CREATE INDEX billing_events_user_type ON billing_events (user_id, type, created_at, id);

CREATE TABLE billing_tokens (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL
);

-- Administrators' and users' actions. user_id: the subscriber the entry is about (retention).
CREATE TABLE audit_entries (
    id INTEGER PRIMARY KEY,
    at BIGINT NOT NULL,
    actor_kind TEXT NOT NULL,
    actor_id BIGINT,
    actor_login TEXT NOT NULL,
    impersonator_id BIGINT,
    action TEXT NOT NULL,
    target_kind TEXT NOT NULL,
    target_id BIGINT,
    target_label TEXT NOT NULL,
    user_id BIGINT,
    details TEXT NOT NULL DEFAULT '{}',
    request_id TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_entries_at ON audit_entries (at, id);
CREATE INDEX audit_entries_user ON audit_entries (user_id);
CREATE INDEX audit_entries_action ON audit_entries (action, at, id);

-- The materialised environment of each user and sub-user (§7.3).
CREATE TABLE environments (
    user_id BIGINT PRIMARY KEY REFERENCES users (id),
    version BIGINT NOT NULL,
    data TEXT NOT NULL,
    synced_at BIGINT,
    updated_at BIGINT NOT NULL
);

CREATE TABLE sync_runs (
    id INTEGER PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users (id),
    admin_id BIGINT REFERENCES administrators (id),
    at BIGINT NOT NULL,
    changes TEXT NOT NULL
);
CREATE INDEX sync_runs_user ON sync_runs (user_id, at);

-- Leases for work only one process may do at a time (retention).
CREATE TABLE leases (
    name TEXT PRIMARY KEY,
    holder TEXT NOT NULL,
    expires_at BIGINT NOT NULL
);
