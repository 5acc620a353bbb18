-- First-contact resolution (docs/reports.md) without a look-up per call at report time: each
-- inbound call keeps when the same number next called in (`next_inbound_at`), maintained as calls
-- are journaled. Calls are written when they end, so a later call can be written first: the
-- trigger sets both the new call's own next call and the earlier calls' (90 days back: FCR_DAYS' maximum).
ALTER TABLE "calls" ADD COLUMN "next_inbound_at" TIMESTAMP(3);

UPDATE "calls" c SET "next_inbound_at" = x.next
  FROM (SELECT id, lead(started_at) OVER (PARTITION BY customer_number ORDER BY started_at, id) AS next
          FROM "calls" WHERE direction = 'inbound' AND customer_number IS NOT NULL) x
 WHERE x.id = c.id AND x.next IS NOT NULL;

CREATE FUNCTION calls_next_inbound() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.direction = 'inbound' AND NEW.customer_number IS NOT NULL THEN
    UPDATE calls SET next_inbound_at = NEW.started_at
     WHERE direction = 'inbound' AND customer_number = NEW.customer_number
       AND started_at < NEW.started_at AND started_at >= NEW.started_at - interval '90 days'
       AND (next_inbound_at IS NULL OR next_inbound_at > NEW.started_at);
    UPDATE calls SET next_inbound_at = n.first
      FROM (SELECT min(started_at) AS first FROM calls
             WHERE direction = 'inbound' AND customer_number = NEW.customer_number AND started_at > NEW.started_at) n
     WHERE id = NEW.id AND n.first IS NOT NULL;
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER calls_next_inbound AFTER INSERT ON "calls" FOR EACH ROW EXECUTE FUNCTION calls_next_inbound();
