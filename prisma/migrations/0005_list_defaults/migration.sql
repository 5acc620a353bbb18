-- Lists are never NULL: old rows get empty lists, new rows default to them.
UPDATE "clients" SET "tags" = '{}' WHERE "tags" IS NULL;
UPDATE "clients" SET "emails" = '{}' WHERE "emails" IS NULL;
-- AlterTable
ALTER TABLE "clients" ALTER COLUMN "emails" SET DEFAULT ARRAY[]::TEXT[],
ALTER COLUMN "tags" SET DEFAULT ARRAY[]::TEXT[];

ALTER TABLE "clients" ALTER COLUMN "emails" SET NOT NULL, ALTER COLUMN "tags" SET NOT NULL;
