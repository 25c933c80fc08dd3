-- AlterTable
ALTER TABLE "legal_cases" ADD COLUMN "kind" TEXT NOT NULL DEFAULT 'screening',
ADD COLUMN "description" TEXT,
ADD COLUMN "materials" TEXT,
ADD COLUMN "launch_date" TIMESTAMPTZ(3),
ADD COLUMN "language" TEXT,
ADD COLUMN "advice" TEXT;

-- AlterTable
ALTER TABLE "legal_notices" ADD COLUMN "status" TEXT NOT NULL DEFAULT 'received',
ADD COLUMN "sender_role" TEXT,
ADD COLUMN "jurisdiction" TEXT,
ADD COLUMN "action_taken" TEXT,
ADD COLUMN "gagged_until" TIMESTAMPTZ(3),
ADD COLUMN "publish" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN "publish_after" TIMESTAMPTZ(3),
ADD COLUMN "summary" TEXT,
ADD COLUMN "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP;

-- Notices recorded before the legal desk: the old type names become Lumen's, and settled ones count as resolved.
UPDATE "legal_notices" SET "type" = CASE "type"
    WHEN 'dmca_takedown' THEN 'dmca'
    WHEN 'subpoena' THEN 'court_order'
    WHEN 'police_request' THEN 'law_enforcement_request'
    WHEN 'cease_and_desist' THEN 'other'
    WHEN 'registrar_complaint' THEN 'other'
    ELSE "type" END;
UPDATE "legal_notices" SET "status" = 'resolved' WHERE "outcome" IS NOT NULL AND "outcome" <> 'pending';

-- CreateTable
CREATE TABLE "legal_reminders" (
    "id" UUID NOT NULL,
    "subject" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "due_at" TIMESTAMPTZ(3) NOT NULL,
    "sent_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "legal_reminders_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "canary_statements" (
    "id" UUID NOT NULL,
    "statement" TEXT NOT NULL,
    "signed" TEXT NOT NULL,
    "fingerprint" TEXT NOT NULL,
    "issued_at" TIMESTAMPTZ(3) NOT NULL,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "actor" TEXT NOT NULL,
    CONSTRAINT "canary_statements_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "legal_notices_status_idx" ON "legal_notices"("status");
CREATE UNIQUE INDEX "legal_reminders_subject_kind_due_at_key" ON "legal_reminders"("subject", "kind", "due_at");
CREATE INDEX "canary_statements_issued_at_idx" ON "canary_statements"("issued_at");
