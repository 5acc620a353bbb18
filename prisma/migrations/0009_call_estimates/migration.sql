-- What the journal could not see but estimated: the fields of a row that are the best the PBX
-- allowed (an adopted call's start and answer, an end that happened while the link was down), as a
-- JSON list of field names, e.g. ["endedAt","talkSeconds"]. Empty: every value was seen.
ALTER TABLE "calls" ADD COLUMN "estimated" JSONB NOT NULL DEFAULT '[]';

-- Why a click-to-call reached nobody: agent-no-answer, agent-busy, customer-no-answer, busy, failed.
ALTER TABLE "calls" ADD COLUMN "end_reason" TEXT;
