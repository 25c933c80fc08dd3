-- CreateEnum
CREATE TYPE "DefenceLevel" AS ENUM ('off', 'guarded', 'challenge');

-- CreateTable
CREATE TABLE "site_defences" (
    "site_id" UUID NOT NULL,
    "level" "DefenceLevel" NOT NULL DEFAULT 'off',
    "until" TIMESTAMPTZ(3),
    "exempt_paths" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "shield_ranges" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "pass_key_encrypted" TEXT,
    "warned_at" TIMESTAMPTZ(3),
    "updated_at" TIMESTAMPTZ(3) NOT NULL,
    CONSTRAINT "site_defences_pkey" PRIMARY KEY ("site_id")
);

-- CreateIndex
CREATE INDEX "site_defences_level_until_idx" ON "site_defences"("level", "until");

-- AddForeignKey
ALTER TABLE "site_defences" ADD CONSTRAINT "site_defences_site_id_fkey" FOREIGN KEY ("site_id") REFERENCES "sites"("id") ON DELETE CASCADE ON UPDATE CASCADE;
