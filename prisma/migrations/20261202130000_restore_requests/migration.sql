-- CreateEnum
CREATE TYPE "RestoreRequestStatus" AS ENUM ('requested', 'started', 'declined');

-- CreateTable
CREATE TABLE "restore_requests" (
    "id" UUID NOT NULL,
    "site_id" UUID NOT NULL,
    "snapshot_id" TEXT NOT NULL,
    "custody" "KeyCustody" NOT NULL,
    "snapshot_at" TIMESTAMPTZ(3) NOT NULL,
    "note" TEXT,
    "status" "RestoreRequestStatus" NOT NULL DEFAULT 'requested',
    "requested_by" TEXT NOT NULL,
    "operation_id" UUID,
    "decided_by" TEXT,
    "reason" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "decided_at" TIMESTAMPTZ(3),
    CONSTRAINT "restore_requests_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "restore_requests_site_id_created_at_idx" ON "restore_requests"("site_id", "created_at");

-- CreateIndex
CREATE INDEX "restore_requests_status_created_at_idx" ON "restore_requests"("status", "created_at");

-- CreateIndex
CREATE UNIQUE INDEX "restore_requests_open_key" ON "restore_requests"("site_id") WHERE status = 'requested';

-- AddForeignKey
ALTER TABLE "restore_requests" ADD CONSTRAINT "restore_requests_site_id_fkey" FOREIGN KEY ("site_id") REFERENCES "sites"("id") ON DELETE CASCADE ON UPDATE CASCADE;
