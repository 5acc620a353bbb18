-- Supervisor console (docs/supervisor.md).

-- Each agent's state changes, appended by the node holding the PBX's lease (one batched INSERT a
-- second at most). A state lasts until the agent's next row: the wallboard's pause time today and
-- the reports' pause, wrap-up and occupancy figures come from here after any restart.
CREATE TABLE "agent_state_log" (
    "id" BIGSERIAL NOT NULL,
    "pbx" TEXT NOT NULL,
    "agent" TEXT NOT NULL,
    -- available | ringing | on-call | paused | wrap-up | unavailable | logged-out | unknown
    "state" TEXT NOT NULL,
    "reason" TEXT,
    "started_at" TIMESTAMPTZ(3) NOT NULL,
    CONSTRAINT "agent_state_log_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "agent_state_log_started_at_idx" ON "agent_state_log"("started_at");
CREATE INDEX "agent_state_log_agent_started_at_idx" ON "agent_state_log"("pbx", "agent", "started_at");

-- Each queue's service-level target and the thresholds that colour the wallboard and raise alerts.
-- A queue without a row uses the defaults (80 % answered within 20 s, no alert thresholds).
CREATE TABLE "queue_targets" (
    "queue" TEXT NOT NULL,
    "target_seconds" INTEGER NOT NULL DEFAULT 20,
    "target_percent" INTEGER NOT NULL DEFAULT 80,
    "max_wait_seconds" INTEGER,
    "min_service_level" INTEGER,
    "max_waiting" INTEGER,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "queue_targets_pkey" PRIMARY KEY ("queue"),
    CONSTRAINT "queue_targets_ranges" CHECK (target_seconds BETWEEN 1 AND 3600 AND target_percent BETWEEN 1 AND 100)
);

-- Read-only wallboard tokens for a TV (no login): only the SHA-256 of the token is kept.
CREATE TABLE "wallboard_tokens" (
    "id" SERIAL NOT NULL,
    "name" TEXT NOT NULL,
    "token_hash" TEXT NOT NULL,
    -- the queues the TV shows (empty: all)
    "queues" TEXT[] NOT NULL DEFAULT '{}',
    "created_by_id" INTEGER,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "revoked_at" TIMESTAMPTZ(3),
    CONSTRAINT "wallboard_tokens_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "wallboard_tokens_hash_key" ON "wallboard_tokens"("token_hash");
