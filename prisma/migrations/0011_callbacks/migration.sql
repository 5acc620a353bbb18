-- Callback queues (docs/callbacks.md). The database is the truth: bull delayed jobs only wake the
-- dispatcher, and every step a callback takes is one conditional UPDATE, so two nodes never dial
-- the same callback and a restart or a flushed Redis loses nothing.
CREATE TABLE "callbacks" (
    "id" SERIAL NOT NULL,
    -- strict E.164, checked against the dialing rules before it is stored
    "number" TEXT NOT NULL,
    "name" TEXT,
    "queue" TEXT NOT NULL,
    -- abandoned | ivr | web | agent
    "source" TEXT NOT NULL,
    -- pending | offered | dialing | done | cancelled | expired
    "status" TEXT NOT NULL DEFAULT 'pending',
    -- reached | no-answer | busy | wrong-number | failed | cancelled | expired | reached-by-customer
    "outcome" TEXT,
    "due_at" TIMESTAMPTZ(3) NOT NULL,
    -- past this, a callback not yet made expires
    "window_end" TIMESTAMPTZ(3),
    -- when the customer first joined the queue: their place among callbacks (and against live callers)
    "original_queued_at" TIMESTAMPTZ(3) NOT NULL,
    "priority" INTEGER NOT NULL DEFAULT 0,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "max_attempts" INTEGER NOT NULL DEFAULT 3,
    "client_id" INTEGER,
    -- an agent's own callback: only they are offered it
    "assignee_id" INTEGER,
    "offered_to" TEXT,
    "offered_at" TIMESTAMPTZ(3),
    "dialing_at" TIMESTAMPTZ(3),
    "claimed_by" TEXT,
    -- the Linkedids of the calls made for it, and of the call it came from
    "call_ids" JSONB NOT NULL DEFAULT '[]',
    "origin_linkedid" TEXT,
    "site_id" INTEGER,
    "note" TEXT,
    "created_by" INTEGER,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "done_at" TIMESTAMPTZ(3),
    CONSTRAINT "callbacks_pkey" PRIMARY KEY ("id")
);
-- One open callback per number and queue: a second request is merged into it.
CREATE UNIQUE INDEX "callbacks_open_number" ON "callbacks"("queue", "number") WHERE "status" IN ('pending', 'offered', 'dialing');
CREATE INDEX "callbacks_status_due" ON "callbacks"("status", "due_at");
CREATE INDEX "callbacks_number" ON "callbacks"("number");

-- Per queue: when it works, how long an abandon must have waited to earn a callback, the target.
CREATE TABLE "callback_settings" (
    "queue" TEXT NOT NULL,
    "min_abandon_seconds" INTEGER NOT NULL DEFAULT 10,
    -- the queue's own zone for its business hours
    "timezone" TEXT NOT NULL DEFAULT 'UTC',
    -- {"mon": [["09:00","18:00"]], ...}; null: always open
    "hours" JSONB,
    -- ["2026-12-25", ...] in the queue's zone
    "holidays" JSONB NOT NULL DEFAULT '[]',
    -- the customer's local time in which they may be called
    "call_window_start" TEXT NOT NULL DEFAULT '08:00',
    "call_window_end" TEXT NOT NULL DEFAULT '21:00',
    "max_attempts" INTEGER NOT NULL DEFAULT 3,
    -- service level: share called back within this many minutes
    "target_minutes" INTEGER NOT NULL DEFAULT 60,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "callback_settings_pkey" PRIMARY KEY ("queue")
);

-- Websites whose widget may ask for callbacks.
CREATE TABLE "callback_sites" (
    "id" SERIAL NOT NULL,
    "name" TEXT NOT NULL,
    "site_key" TEXT NOT NULL,
    "origins" JSONB NOT NULL,
    "queue" TEXT NOT NULL,
    "active" BOOLEAN NOT NULL DEFAULT true,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "callback_sites_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "callback_sites_key" ON "callback_sites"("site_key");
