-- Several server nodes and several PBXs (docs/deploy.md).
-- The fencing number of the node that holds each PBX's lease: the call journal writes only while
-- its own number is the current one, so a holder that lost its lease (paused, cut off from Redis)
-- cannot write after another node took over.
CREATE TABLE "pbx_fences" (
    "pbx" TEXT NOT NULL,
    "fence" BIGINT NOT NULL,
    "node" TEXT NOT NULL,
    "updated_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "pbx_fences_pkey" PRIMARY KEY ("pbx")
);

-- Which PBX a call went through (the name given in AMI_URL; "main" for a single PBX).
ALTER TABLE "calls" ADD COLUMN "pbx" TEXT NOT NULL DEFAULT 'main';
