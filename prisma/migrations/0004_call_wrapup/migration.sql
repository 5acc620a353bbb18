-- AlterTable
ALTER TABLE "calls" ADD COLUMN     "disposition" TEXT,
ADD COLUMN     "wrapped_at" TIMESTAMP(3),
ADD COLUMN     "wrapped_by_id" INTEGER,
ADD COLUMN     "wrapup_note" TEXT;

