-- Branching call scripts (docs/scripts.md). A script has one draft (what the designer edits) and
-- frozen published versions; every run keeps the version it ran, so analytics never mix versions.
CREATE TABLE "scripts" (
    "id" SERIAL NOT NULL,
    "name" TEXT NOT NULL,
    -- {start, steps: {<id>: {...}}}: the graph being edited (may be incomplete)
    "draft" JSONB NOT NULL,
    -- the newest published version; null until the first publish
    "published_version" INTEGER,
    "created_by" INTEGER,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "scripts_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "script_versions" (
    "script_id" INTEGER NOT NULL REFERENCES "scripts"("id") ON DELETE CASCADE,
    "version" INTEGER NOT NULL,
    "name" TEXT NOT NULL,
    -- frozen: never updated once written
    "graph" JSONB NOT NULL,
    "published_by" INTEGER,
    "published_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "script_versions_pkey" PRIMARY KEY ("script_id", "version")
);

-- Which script a call gets: every non-null criterion must match; the most criteria wins.
CREATE TABLE "script_rules" (
    "id" SERIAL NOT NULL,
    "script_id" INTEGER NOT NULL REFERENCES "scripts"("id") ON DELETE CASCADE,
    "queue" TEXT,
    -- the number dialled (inbound DID / outbound customer number) or its campaign label (DID_LABELS)
    "did" TEXT,
    -- inbound | outbound
    "direction" TEXT,
    -- the client's lifecycle stage and one of their tags
    "stage" TEXT,
    "tag" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "script_rules_pkey" PRIMARY KEY ("id")
);

-- One run per call and script, saved as the agent goes (the whole path each time: idempotent).
CREATE TABLE "script_runs" (
    "id" SERIAL NOT NULL,
    "linkedid" TEXT NOT NULL,
    "script_id" INTEGER NOT NULL REFERENCES "scripts"("id") ON DELETE CASCADE,
    "version" INTEGER NOT NULL,
    -- [{step, answer?, value?, at}]
    "path" JSONB NOT NULL,
    -- the end step's outcome ("jump" for a jump step); null while unfinished
    "outcome" TEXT,
    "completed" BOOLEAN NOT NULL DEFAULT false,
    "queue" TEXT,
    "did" TEXT,
    "campaign" TEXT,
    "agent_extension" TEXT,
    "agent_id" INTEGER,
    "client_id" INTEGER,
    -- values of call.* fields, and what the wrap-up did ({values, actions})
    "captured" JSONB,
    "started_at" TIMESTAMPTZ(3) NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    -- when the wrap-up wrote the captured values and ran the outcome's action
    "applied_at" TIMESTAMPTZ(3),
    CONSTRAINT "script_runs_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "script_runs_call_script" ON "script_runs"("linkedid", "script_id");
CREATE INDEX "script_runs_script_version" ON "script_runs"("script_id", "version", "started_at");

-- Values scripts capture into a client's custom fields (custom.<key>).
CREATE TABLE "client_custom_fields" (
    "client_id" INTEGER NOT NULL REFERENCES "clients"("id") ON DELETE CASCADE,
    "key" TEXT NOT NULL,
    "value" TEXT NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "client_custom_fields_pkey" PRIMARY KEY ("client_id", "key")
);
