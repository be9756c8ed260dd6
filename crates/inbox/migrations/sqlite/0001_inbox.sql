-- The inbox: deliveries as received, events as units of work, their failed
-- attempts, and the dedup keys (kept for their window, past the events).
-- Times are Unix milliseconds.

CREATE TABLE inbox_delivery (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    received_at     INTEGER NOT NULL,
    path            TEXT NOT NULL,
    app             TEXT,
    secret_index    INTEGER NOT NULL,
    body            BLOB NOT NULL,
    rejected_reason TEXT,
    items           INTEGER NOT NULL,
    duplicates      INTEGER NOT NULL
);
CREATE INDEX inbox_delivery_received ON inbox_delivery (received_at);

CREATE TABLE inbox_event (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    delivery_id      INTEGER NOT NULL REFERENCES inbox_delivery (id),
    kind             TEXT NOT NULL,
    account_id       TEXT NOT NULL,
    dedup_key        TEXT NOT NULL,
    order_key        TEXT,
    container        TEXT NOT NULL,
    entry_index      INTEGER NOT NULL,
    item_index       INTEGER NOT NULL,
    item             TEXT NOT NULL,
    state            TEXT NOT NULL
        CHECK (state IN ('pending', 'processing', 'processed', 'failed', 'dead_letter')),
    attempt          INTEGER NOT NULL,
    max_attempts     INTEGER NOT NULL,
    run_at           INTEGER NOT NULL,
    locked_by        TEXT,
    locked_until     INTEGER,
    last_error       TEXT,
    last_error_class TEXT,
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL,
    finalized_at     INTEGER,
    CHECK ((state IN ('processed', 'dead_letter')) = (finalized_at IS NOT NULL)),
    CHECK ((state = 'processing') = (locked_until IS NOT NULL))
);
CREATE INDEX inbox_event_ready ON inbox_event (run_at, id) WHERE state IN ('pending', 'failed');
CREATE INDEX inbox_event_order ON inbox_event (order_key, id)
    WHERE state IN ('pending', 'processing', 'failed');
CREATE INDEX inbox_event_lease ON inbox_event (locked_until) WHERE state = 'processing';
CREATE INDEX inbox_event_state_kind ON inbox_event (state, kind, id);
CREATE INDEX inbox_event_delivery ON inbox_event (delivery_id);
CREATE INDEX inbox_event_finalized ON inbox_event (state, finalized_at) WHERE finalized_at IS NOT NULL;

CREATE TABLE inbox_attempt (
    event_id    INTEGER NOT NULL REFERENCES inbox_event (id) ON DELETE CASCADE,
    attempt     INTEGER NOT NULL,
    worker      TEXT NOT NULL,
    started_at  INTEGER NOT NULL,
    finished_at INTEGER NOT NULL,
    error_class TEXT NOT NULL,
    error       TEXT NOT NULL,
    PRIMARY KEY (event_id, attempt)
);

CREATE TABLE inbox_dedup (
    dedup_key  TEXT PRIMARY KEY,
    first_seen INTEGER NOT NULL,
    last_seen  INTEGER NOT NULL,
    duplicates INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX inbox_dedup_first_seen ON inbox_dedup (first_seen);
