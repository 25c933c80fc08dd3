-- AlterTable
ALTER TABLE "operations" ADD COLUMN "lease_until" TIMESTAMPTZ(3);
