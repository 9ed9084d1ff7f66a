-- The outlet assessment (issue #15) reads days, not orders: each order's figures are summed per
-- organisation and day it was sent (the day in the desk's time zone, 'YYYY-MM-DD'), kept in step
-- with the orders' read model in the same transaction, so a period of a month costs the same
-- whether the network sent a thousand orders or a million.
ALTER TABLE work_orders ADD COLUMN sent_on TEXT NOT NULL DEFAULT '';
ALTER TABLE work_orders ADD COLUMN repeat_of TEXT;
CREATE INDEX work_orders_day ON work_orders (organisation_id, sent_on);

CREATE TABLE work_order_days (
    organisation_id TEXT NOT NULL REFERENCES departments (id),
    day TEXT NOT NULL,
    orders INTEGER NOT NULL,
    responses_due INTEGER NOT NULL,
    responded_on_time INTEGER NOT NULL,
    completions_due INTEGER NOT NULL,
    completed_on_time INTEGER NOT NULL,
    refused INTEGER NOT NULL,
    completed INTEGER NOT NULL,
    completion_millis INTEGER NOT NULL,
    complaints INTEGER NOT NULL,
    repeat_complaints INTEGER NOT NULL,
    regulator_complaints INTEGER NOT NULL,
    PRIMARY KEY (organisation_id, day)
);

-- The parcels each organisation handled per day, as the carrier's operations system reports
-- them: the denominator of complaints per 10,000 parcels.
CREATE TABLE organisation_volumes (
    organisation_id TEXT NOT NULL REFERENCES departments (id),
    day TEXT NOT NULL,
    parcels INTEGER NOT NULL,
    PRIMARY KEY (organisation_id, day)
);
