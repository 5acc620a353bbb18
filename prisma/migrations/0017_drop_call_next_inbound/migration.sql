-- 0016's trigger kept calls.next_inbound_at as calls were journaled, but it slowed the journal's
-- batched inserts (many calls from one number) enough to matter when it catches up after an
-- outage. First-contact resolution looks the next call up at report time again (docs/reports.md).
DROP TRIGGER IF EXISTS calls_next_inbound ON "calls";
DROP FUNCTION IF EXISTS calls_next_inbound();
ALTER TABLE "calls" DROP COLUMN IF EXISTS "next_inbound_at";
