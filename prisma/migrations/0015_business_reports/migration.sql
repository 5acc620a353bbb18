-- Reports (docs/reports.md). First-contact resolution looks, for each answered inbound call, for a
-- later inbound call from the same number within FCR_DAYS: one index probe per call.
CREATE INDEX "calls_inbound_customer_started_idx" ON "calls"("customer_number", "started_at") WHERE "direction" = 'inbound';
-- Business reports: requests (tasks) created in a range, and clients created in a range.
CREATE INDEX "tasks_created_at_idx" ON "tasks"("created_at");
CREATE INDEX "clients_created_at_idx" ON "clients"("created_at");
