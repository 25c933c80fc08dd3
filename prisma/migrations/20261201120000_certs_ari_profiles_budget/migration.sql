-- AlterTable
ALTER TABLE "https_states" ADD COLUMN "profile" TEXT,
ADD COLUMN "ari_check_at" TIMESTAMPTZ(3),
ADD COLUMN "window_start" TIMESTAMPTZ(3),
ADD COLUMN "window_end" TIMESTAMPTZ(3),
ADD COLUMN "explanation_url" TEXT,
ADD COLUMN "served_serial" TEXT,
ADD COLUMN "verified_at" TIMESTAMPTZ(3);

-- AlterTable
ALTER TABLE "certificates" ADD COLUMN "profile" TEXT,
ADD COLUMN "ari_cert_id" TEXT;

-- CreateTable
CREATE TABLE "acme_orders" (
    "id" UUID NOT NULL,
    "directory_url" TEXT NOT NULL,
    "site_id" UUID NOT NULL,
    "member_id" UUID NOT NULL,
    "purpose" TEXT NOT NULL,
    "outcome" TEXT NOT NULL DEFAULT 'pending',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "settled_at" TIMESTAMPTZ(3),

    CONSTRAINT "acme_orders_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "acme_pauses" (
    "directory_url" TEXT NOT NULL,
    "until" TIMESTAMPTZ(3) NOT NULL,
    "reason" TEXT NOT NULL,

    CONSTRAINT "acme_pauses_pkey" PRIMARY KEY ("directory_url")
);

-- CreateIndex
CREATE INDEX "https_states_ari_check_at_idx" ON "https_states"("ari_check_at");

-- CreateIndex
CREATE INDEX "acme_orders_directory_url_created_at_idx" ON "acme_orders"("directory_url", "created_at");

-- CreateIndex
CREATE INDEX "acme_orders_member_id_created_at_idx" ON "acme_orders"("member_id", "created_at");
