-- Call reports over a year in well under a second (docs/reports.md "How the figures are kept"):
-- the inbound calls' sums are kept per 15-minute slot (time groupings in any zone) and per day
-- of the centre's zone (groupings by queue, agent or DID), each at a few levels of detail. The
-- journal only inserts: a new row is `rollup_pending`, a wrap-up sets it again, and the reports
-- module folds pending rows into the sums (server/reports/report-rollup.ts) before it reads them.

-- When the same number next called in (first-contact resolution), kept by that fold rather than
-- looked up per call at report time; NULL: it has not called in again.
ALTER TABLE "calls" ADD COLUMN "next_inbound_at" TIMESTAMP(3);
-- Rows already journaled are summed by the first report's full build (there is no
-- call_rollup_state yet); from now on each new row is pending until it is folded in.
ALTER TABLE "calls" ADD COLUMN "rollup_pending" BOOLEAN NOT NULL DEFAULT false;
ALTER TABLE "calls" ALTER COLUMN "rollup_pending" SET DEFAULT true;
CREATE INDEX "calls_rollup_pending_idx" ON "calls"("id") WHERE "rollup_pending";

-- Strictly later (the journal keeps milliseconds): two calls started in the same millisecond are not each other's repeat.
UPDATE "calls" c SET "next_inbound_at" = x.next
  FROM (SELECT id, min(started_at) OVER (PARTITION BY customer_number ORDER BY started_at
          RANGE BETWEEN INTERVAL '1 millisecond' FOLLOWING AND UNBOUNDED FOLLOWING) AS next
        FROM "calls" WHERE direction = 'inbound' AND customer_number IS NOT NULL) x
 WHERE x.id = c.id AND x.next IS NOT NULL;

CREATE TABLE "call_rollup_slots" (
    -- start of the 15-minute slot (UTC): every zone's offset from UTC is a whole number of them
    "slot" TIMESTAMP(3) NOT NULL,
    -- 'queue': a row per queue (queue NULL: calls that met none); 'all': one row for all queues
    "level" TEXT NOT NULL,
    "queue" TEXT,
    "offered" INTEGER NOT NULL,
    "answered" INTEGER NOT NULL,
    "abandoned" INTEGER NOT NULL,
    "short_abandoned" INTEGER NOT NULL,
    "within_target" INTEGER NOT NULL,
    "wait_sum" DOUBLE PRECISION NOT NULL,
    "talk_sum" DOUBLE PRECISION NOT NULL,
    "hold_sum" DOUBLE PRECISION NOT NULL,
    "wrapup_sum" DOUBLE PRECISION NOT NULL,
    "transfers" INTEGER NOT NULL,
    "fcr" INTEGER NOT NULL,
    -- abandons per wait bucket (abandonBuckets in server/reports/reports.service.ts)
    "abandon_buckets" INTEGER[] NOT NULL,
    -- answered calls per disposition ("" : none saved)
    "dispositions" JSONB NOT NULL
);
CREATE INDEX "call_rollup_slots_level_slot_idx" ON "call_rollup_slots"("level", "slot");

CREATE TABLE "call_rollup_days" (
    -- the day in the centre's zone (REPORTS_TIMEZONE) the calls started on
    "day" DATE NOT NULL,
    -- 'detail': a row per queue, agent and DID; 'queue', 'agent', 'did': a row per value of that
    -- one (the other two NULL)
    "level" TEXT NOT NULL,
    "queue" TEXT,
    "agent" TEXT,
    "did" TEXT,
    "offered" INTEGER NOT NULL,
    "answered" INTEGER NOT NULL,
    "abandoned" INTEGER NOT NULL,
    "short_abandoned" INTEGER NOT NULL,
    "within_target" INTEGER NOT NULL,
    "wait_sum" DOUBLE PRECISION NOT NULL,
    "talk_sum" DOUBLE PRECISION NOT NULL,
    "hold_sum" DOUBLE PRECISION NOT NULL,
    "wrapup_sum" DOUBLE PRECISION NOT NULL,
    "transfers" INTEGER NOT NULL,
    "fcr" INTEGER NOT NULL,
    "abandon_buckets" INTEGER[] NOT NULL,
    "dispositions" JSONB NOT NULL
);
CREATE INDEX "call_rollup_days_level_day_idx" ON "call_rollup_days"("level", "day");

-- What the sums were computed with (short-abandon limit, targets, wrap-up cap, FCR days, zone):
-- when any of it changes the sums are rebuilt from the journal.
CREATE TABLE "call_rollup_state" (
    "id" INTEGER NOT NULL DEFAULT 1,
    "fingerprint" TEXT NOT NULL,
    "rebuilt_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "call_rollup_state_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "call_rollup_state_one_row" CHECK ("id" = 1)
);

-- Statistics that know next to no row is pending, so the fold finds them by their partial index.
ANALYZE "calls";
