-- Call recordings (docs/recordings.md): one row per recorded call, from the moment the PBX finished
-- writing the raw file until its audio is deleted. The row is the truth about what still needs
-- doing: pending rows are found again after a restart or a flushed Redis.
CREATE TABLE "recordings" (
    "id" SERIAL NOT NULL,
    "linkedid" TEXT NOT NULL,
    "pbx" TEXT NOT NULL DEFAULT 'main',
    -- the raw files' base names inside MONITOR_DIR: {"mix": "1795598250.0.wav", "caller": "...-in.wav", "agent": "...-out.wav"}
    "raw" JSONB NOT NULL,
    -- pending | ready | failed | empty | deleted
    "status" TEXT NOT NULL DEFAULT 'pending',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "next_attempt_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "claimed_by" TEXT,
    "claimed_at" TIMESTAMPTZ(3),
    "last_error" TEXT,
    "queue" TEXT,
    "call_ended_at" TIMESTAMPTZ(3) NOT NULL,
    "duration_seconds" DOUBLE PRECISION,
    -- what was produced: {"mix": "2026/12/03/17-mix.opus", "caller": ..., "agent": ...}
    "files" JSONB NOT NULL DEFAULT '{}',
    "sides" JSONB NOT NULL DEFAULT '[]',
    "peaks" JSONB,
    "speech" JSONB,
    -- recording paused (MixMonitorMute): [[startS, endS], ...] as positions in the file
    "muted" JSONB NOT NULL DEFAULT '[]',
    "checksum" TEXT,
    "bytes" BIGINT,
    "ready_at" TIMESTAMPTZ(3),
    "deleted_at" TIMESTAMPTZ(3),
    -- retention | erasure
    "deleted_reason" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "recordings_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "recordings_linkedid_key" ON "recordings"("linkedid");
CREATE INDEX "recordings_status_next_idx" ON "recordings"("status", "next_attempt_at");
CREATE INDEX "recordings_ended_idx" ON "recordings"("call_ended_at");

-- How long each queue's recordings keep their audio ("*": every other call). No row: for ever.
CREATE TABLE "recording_retention" (
    "queue" TEXT NOT NULL,
    "days" INTEGER NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "recording_retention_pkey" PRIMARY KEY ("queue")
);

-- Legal holds: on one call (linkedid) or on everything of a client. Retention and erasure never
-- touch what a hold covers until it is released.
CREATE TABLE "legal_holds" (
    "id" SERIAL NOT NULL,
    "linkedid" TEXT,
    "client_id" INTEGER,
    "reason" TEXT NOT NULL,
    "created_by" INTEGER,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "released_at" TIMESTAMPTZ(3),
    "released_by" INTEGER,
    CONSTRAINT "legal_holds_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "legal_holds_target" CHECK (("linkedid" IS NULL) <> ("client_id" IS NULL))
);
CREATE INDEX "legal_holds_linkedid_idx" ON "legal_holds"("linkedid") WHERE "released_at" IS NULL;
CREATE INDEX "legal_holds_client_idx" ON "legal_holds"("client_id") WHERE "released_at" IS NULL;

-- The queues a supervisor watches (their recordings, later their wallboard).
CREATE TABLE "user_queues" (
    "user_id" INTEGER NOT NULL,
    "queue" TEXT NOT NULL,
    CONSTRAINT "user_queues_pkey" PRIMARY KEY ("user_id", "queue"),
    CONSTRAINT "user_queues_user_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE
);
