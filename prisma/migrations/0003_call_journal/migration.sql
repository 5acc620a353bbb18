-- CreateTable
CREATE TABLE "calls" (
    "id" SERIAL NOT NULL,
    "linkedid" TEXT NOT NULL,
    "direction" TEXT NOT NULL,
    "caller_number" TEXT NOT NULL,
    "caller_name" TEXT,
    "called_number" TEXT NOT NULL,
    "customer_number" TEXT,
    "queue" TEXT,
    "agent_extension" TEXT,
    "agent_id" INTEGER,
    "client_id" INTEGER,
    "started_at" TIMESTAMP(3) NOT NULL,
    "queued_at" TIMESTAMP(3),
    "ringing_at" TIMESTAMP(3),
    "answered_at" TIMESTAMP(3),
    "ended_at" TIMESTAMP(3) NOT NULL,
    "wait_seconds" INTEGER,
    "talk_seconds" INTEGER,
    "hold_seconds" INTEGER NOT NULL DEFAULT 0,
    "transfers" INTEGER NOT NULL DEFAULT 0,
    "outcome" TEXT NOT NULL,
    "hangup_cause" INTEGER,
    "hangup_cause_text" TEXT,
    "recording_file" TEXT,
    "recording_id" INTEGER,
    "segments" JSONB NOT NULL DEFAULT '[]',
    "ended_while_disconnected" BOOLEAN NOT NULL DEFAULT false,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "calls_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "calls_linkedid_key" ON "calls"("linkedid");

-- CreateIndex
CREATE INDEX "calls_started_at_id_idx" ON "calls"("started_at", "id");

-- CreateIndex
CREATE INDEX "calls_agent_extension_started_at_idx" ON "calls"("agent_extension", "started_at");

-- CreateIndex
CREATE INDEX "calls_queue_started_at_idx" ON "calls"("queue", "started_at");

-- CreateIndex
CREATE INDEX "calls_client_id_started_at_idx" ON "calls"("client_id", "started_at");

-- CreateIndex
CREATE INDEX "calls_outcome_started_at_idx" ON "calls"("outcome", "started_at");

-- AddForeignKey
ALTER TABLE "calls" ADD CONSTRAINT "calls_agent_id_fkey" FOREIGN KEY ("agent_id") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "calls" ADD CONSTRAINT "calls_client_id_fkey" FOREIGN KEY ("client_id") REFERENCES "clients"("id") ON DELETE SET NULL ON UPDATE CASCADE;

