-- Shipments fed by the ops system. Scans live inside `doc` (a shipment has tens, not
-- thousands) so a tracking query is one primary-key read; the phone columns serve the
-- no-number search.
CREATE TABLE shipments (
    waybill_no TEXT COLLATE "C" PRIMARY KEY,
    version BIGINT NOT NULL,
    status TEXT NOT NULL,
    sender_phone TEXT COLLATE "C" NOT NULL,
    recipient_phone TEXT COLLATE "C" NOT NULL,
    shipped_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    doc TEXT NOT NULL
);
CREATE INDEX shipments_sender_phone ON shipments (sender_phone, shipped_at);
CREATE INDEX shipments_recipient_phone ON shipments (recipient_phone, shipped_at);

-- Editable configuration documents: tracking thresholds, rate card, coverage, prohibited
-- items, outlets, claim rules.
CREATE TABLE settings (
    key TEXT COLLATE "C" PRIMARY KEY,
    updated_at BIGINT NOT NULL,
    doc TEXT NOT NULL
);

-- Pickup orders (上门取件) and the courier task lists.
CREATE TABLE pickups (
    id TEXT COLLATE "C" PRIMARY KEY,
    number TEXT COLLATE "C" NOT NULL UNIQUE,
    version BIGINT NOT NULL,
    status TEXT NOT NULL,
    outlet TEXT COLLATE "C",
    courier TEXT COLLATE "C",
    phone TEXT COLLATE "C" NOT NULL,
    created_at BIGINT NOT NULL,
    doc TEXT NOT NULL
);
CREATE INDEX pickups_courier ON pickups (courier, status, created_at);
CREATE INDEX pickups_outlet ON pickups (outlet, status, created_at);
CREATE INDEX pickups_phone ON pickups (phone, created_at);
