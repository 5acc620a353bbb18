-- What each agent chose for their phone's queue membership (docs/pbx.md, "Agent states"): the
-- server re-applies it after every (re)connect, because Asterisk forgets the pauses of static
-- queue members when it restarts and says nothing about it.
CREATE TABLE "agent_presence" (
    "pbx" TEXT NOT NULL,
    "extension" TEXT NOT NULL,
    -- available | paused | logged-out | wrap-up
    "status" TEXT NOT NULL,
    "reason" TEXT,
    -- wrap-up: when the after-call-work pause ends on its own
    "until" TIMESTAMPTZ(3),
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "agent_presence_pkey" PRIMARY KEY ("pbx", "extension")
);
