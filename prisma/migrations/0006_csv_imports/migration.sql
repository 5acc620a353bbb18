-- Background CSV imports of clients: the job state lives here (server/crm/csv-import-jobs.ts).
-- CreateTable
CREATE TABLE "csv_imports" (
    "id" SERIAL NOT NULL,
    "user_id" INTEGER,
    "node" TEXT NOT NULL,
    "file" TEXT NOT NULL,
    "bytes" INTEGER NOT NULL,
    "dry_run" BOOLEAN NOT NULL DEFAULT false,
    "status" TEXT NOT NULL DEFAULT 'queued',
    "total_rows" INTEGER,
    "rows_done" INTEGER NOT NULL DEFAULT 0,
    "created" INTEGER NOT NULL DEFAULT 0,
    "updated" INTEGER NOT NULL DEFAULT 0,
    "unchanged" INTEGER NOT NULL DEFAULT 0,
    "failed" INTEGER NOT NULL DEFAULT 0,
    "errors" JSONB NOT NULL DEFAULT '[]',
    "error" JSONB,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "started_at" TIMESTAMP(3),
    "finished_at" TIMESTAMP(3),
    "updated_at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "csv_imports_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "csv_imports_status_node_idx" ON "csv_imports"("status", "node");

-- CreateIndex
CREATE INDEX "csv_imports_user_id_created_at_idx" ON "csv_imports"("user_id", "created_at");

-- AddForeignKey
ALTER TABLE "csv_imports" ADD CONSTRAINT "csv_imports_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE CASCADE;

