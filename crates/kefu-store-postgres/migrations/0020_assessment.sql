-- The outlet assessment (issue #15) reads days, not orders: each order's figures are summed per
-- organisation and day it was sent (the day in the desk's time zone, 'YYYY-MM-DD'), kept in step
-- with the orders' read model in the same transaction, so a period of a month costs the same
-- whether the network sent a thousand orders or a million.
ALTER TABLE work_orders ADD COLUMN sent_on TEXT COLLATE "C" NOT NULL DEFAULT '';
ALTER TABLE work_orders ADD COLUMN repeat_of TEXT COLLATE "C";
CREATE INDEX work_orders_day ON work_orders (organisation_id, sent_on);

CREATE TABLE work_order_days (
    organisation_id TEXT COLLATE "C" NOT NULL REFERENCES departments (id),
    day TEXT COLLATE "C" NOT NULL,
    orders BIGINT NOT NULL,
    responses_due BIGINT NOT NULL,
    responded_on_time BIGINT NOT NULL,
    completions_due BIGINT NOT NULL,
    completed_on_time BIGINT NOT NULL,
    refused BIGINT NOT NULL,
    completed BIGINT NOT NULL,
    completion_millis BIGINT NOT NULL,
    complaints BIGINT NOT NULL,
    repeat_complaints BIGINT NOT NULL,
    regulator_complaints BIGINT NOT NULL,
    PRIMARY KEY (organisation_id, day)
);

-- The parcels each organisation handled per day, as the carrier's operations system reports
-- them: the denominator of complaints per 10,000 parcels.
CREATE TABLE organisation_volumes (
    organisation_id TEXT COLLATE "C" NOT NULL REFERENCES departments (id),
    day TEXT COLLATE "C" NOT NULL,
    parcels BIGINT NOT NULL,
    PRIMARY KEY (organisation_id, day)
);
