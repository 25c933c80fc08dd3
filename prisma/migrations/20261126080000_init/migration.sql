-- CreateEnum
CREATE TYPE "TokenRole" AS ENUM ('staff', 'member', 'legal');
CREATE TYPE "OperationStatus" AS ENUM ('queued', 'running', 'succeeded', 'failed');
CREATE TYPE "HttpsStatus" AS ENUM ('none', 'pending', 'active', 'failed');
CREATE TYPE "LoggingMode" AS ENUM ('off', 'anonymized', 'full');
CREATE TYPE "KeyCustody" AS ENUM ('provider', 'member');
CREATE TYPE "BackupRunStatus" AS ENUM ('running', 'succeeded', 'failed');
CREATE TYPE "LegalCaseStatus" AS ENUM ('open', 'in_review', 'cleared', 'action_required', 'closed');

-- CreateTable
CREATE TABLE "members" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "contact_email" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "members_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "sites" (
    "id" UUID NOT NULL,
    "member_id" UUID NOT NULL,
    "primary_domain" TEXT NOT NULL,
    "domains" TEXT[],
    "document_root" TEXT NOT NULL,
    "campaign_description" TEXT,
    "campaign_tags" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "web_host" TEXT NOT NULL DEFAULT 'local',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,
    CONSTRAINT "sites_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "site_domains" (
    "domain" TEXT NOT NULL,
    "site_id" UUID NOT NULL,
    CONSTRAINT "site_domains_pkey" PRIMARY KEY ("domain")
);

CREATE TABLE "api_tokens" (
    "id" UUID NOT NULL,
    "token_hash" TEXT NOT NULL,
    "role" "TokenRole" NOT NULL,
    "member_id" UUID,
    "label" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_used_at" TIMESTAMPTZ(3),
    "revoked_at" TIMESTAMPTZ(3),
    CONSTRAINT "api_tokens_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "audit_events" (
    "id" BIGSERIAL NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "actor" TEXT NOT NULL,
    "actor_role" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "target_type" TEXT NOT NULL,
    "target_id" TEXT,
    "changes" JSONB NOT NULL DEFAULT '{}',
    CONSTRAINT "audit_events_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "operations" (
    "id" UUID NOT NULL,
    "kind" TEXT NOT NULL,
    "site_id" UUID,
    "target_type" TEXT NOT NULL,
    "target_id" TEXT,
    "status" "OperationStatus" NOT NULL DEFAULT 'queued',
    "payload" JSONB NOT NULL DEFAULT '{}',
    "error" TEXT,
    "actor" TEXT NOT NULL,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "started_at" TIMESTAMPTZ(3),
    "finished_at" TIMESTAMPTZ(3),
    CONSTRAINT "operations_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "acme_accounts" (
    "id" UUID NOT NULL,
    "directory_url" TEXT NOT NULL,
    "account_url" TEXT,
    "key_encrypted" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "acme_accounts_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "https_states" (
    "site_id" UUID NOT NULL,
    "status" "HttpsStatus" NOT NULL DEFAULT 'none',
    "enabled" BOOLEAN NOT NULL DEFAULT false,
    "hsts" BOOLEAN NOT NULL DEFAULT false,
    "key_type" TEXT NOT NULL DEFAULT 'ecdsa',
    "not_after" TIMESTAMPTZ(3),
    "renew_at" TIMESTAMPTZ(3),
    "last_error" TEXT,
    "failure_count" INTEGER NOT NULL DEFAULT 0,
    "next_attempt_at" TIMESTAMPTZ(3),
    "expiry_alerted_at" TIMESTAMPTZ(3),
    "updated_at" TIMESTAMPTZ(3) NOT NULL,
    CONSTRAINT "https_states_pkey" PRIMARY KEY ("site_id")
);

CREATE TABLE "certificates" (
    "id" UUID NOT NULL,
    "site_id" UUID NOT NULL,
    "domains" TEXT[],
    "chain_pem" TEXT NOT NULL,
    "key_encrypted" TEXT NOT NULL,
    "key_type" TEXT NOT NULL,
    "serial" TEXT,
    "not_before" TIMESTAMPTZ(3) NOT NULL,
    "not_after" TIMESTAMPTZ(3) NOT NULL,
    "current" BOOLEAN NOT NULL DEFAULT true,
    "revoked_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "certificates_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "logging_policies" (
    "site_id" UUID NOT NULL,
    "mode" "LoggingMode" NOT NULL,
    "retention_days" INTEGER NOT NULL,
    "last_purged_at" TIMESTAMPTZ(3),
    "updated_at" TIMESTAMPTZ(3) NOT NULL,
    CONSTRAINT "logging_policies_pkey" PRIMARY KEY ("site_id")
);

CREATE TABLE "attestations" (
    "id" UUID NOT NULL,
    "site_id" UUID NOT NULL,
    "kind" TEXT NOT NULL,
    "requested_by" TEXT NOT NULL,
    "files" JSONB NOT NULL DEFAULT '[]',
    "file_count" INTEGER NOT NULL,
    "bytes" BIGINT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "attestations_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "backup_policies" (
    "site_id" UUID NOT NULL,
    "enabled" BOOLEAN NOT NULL DEFAULT false,
    "schedule" TEXT NOT NULL DEFAULT '0 3 * * *',
    "keep_daily" INTEGER NOT NULL DEFAULT 7,
    "keep_weekly" INTEGER NOT NULL DEFAULT 4,
    "keep_monthly" INTEGER NOT NULL DEFAULT 6,
    "key_custody" "KeyCustody" NOT NULL DEFAULT 'provider',
    "member_public_key" TEXT,
    "member_key_fingerprint" TEXT,
    "pre_backup_hook" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "last_success_at" TIMESTAMPTZ(3),
    "updated_at" TIMESTAMPTZ(3) NOT NULL,
    CONSTRAINT "backup_policies_pkey" PRIMARY KEY ("site_id")
);

CREATE TABLE "backup_repositories" (
    "member_id" UUID NOT NULL,
    "location" TEXT NOT NULL,
    "password_encrypted" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "backup_repositories_pkey" PRIMARY KEY ("member_id")
);

CREATE TABLE "backup_runs" (
    "id" UUID NOT NULL,
    "site_id" UUID NOT NULL,
    "kind" TEXT NOT NULL DEFAULT 'backup',
    "custody" "KeyCustody" NOT NULL,
    "status" "BackupRunStatus" NOT NULL DEFAULT 'running',
    "snapshot_id" TEXT,
    "archive_path" TEXT,
    "files" INTEGER,
    "bytes_added" BIGINT,
    "total_bytes" BIGINT,
    "duration_ms" INTEGER,
    "error" TEXT,
    "started_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finished_at" TIMESTAMPTZ(3),
    "deleted_at" TIMESTAMPTZ(3),
    CONSTRAINT "backup_runs_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "signing_keys" (
    "id" TEXT NOT NULL DEFAULT 'host',
    "fingerprint" TEXT NOT NULL,
    "public_key" TEXT NOT NULL,
    "private_key_encrypted" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "signing_keys_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "legal_cases" (
    "id" UUID NOT NULL,
    "site_id" UUID NOT NULL,
    "status" "LegalCaseStatus" NOT NULL DEFAULT 'open',
    "risk_score" INTEGER NOT NULL,
    "reasons" TEXT[],
    "notes" TEXT,
    "reviewer" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,
    CONSTRAINT "legal_cases_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "legal_notices" (
    "id" UUID NOT NULL,
    "site_id" UUID NOT NULL,
    "type" TEXT NOT NULL,
    "sender" TEXT,
    "received_at" TIMESTAMPTZ(3) NOT NULL,
    "deadline" TIMESTAMPTZ(3),
    "outcome" TEXT,
    "notes" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "legal_notices_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "sites_primary_domain_key" ON "sites"("primary_domain");
CREATE INDEX "sites_member_id_idx" ON "sites"("member_id");
CREATE INDEX "site_domains_site_id_idx" ON "site_domains"("site_id");
CREATE UNIQUE INDEX "api_tokens_token_hash_key" ON "api_tokens"("token_hash");
CREATE INDEX "audit_events_at_idx" ON "audit_events"("at");
CREATE INDEX "audit_events_target_type_target_id_idx" ON "audit_events"("target_type", "target_id");
CREATE INDEX "operations_status_idx" ON "operations"("status");
CREATE INDEX "operations_site_id_kind_status_idx" ON "operations"("site_id", "kind", "status");
CREATE UNIQUE INDEX "acme_accounts_directory_url_key" ON "acme_accounts"("directory_url");
CREATE INDEX "https_states_renew_at_idx" ON "https_states"("renew_at");
CREATE INDEX "https_states_not_after_idx" ON "https_states"("not_after");
CREATE INDEX "certificates_site_id_current_idx" ON "certificates"("site_id", "current");
CREATE INDEX "attestations_site_id_created_at_idx" ON "attestations"("site_id", "created_at");
CREATE INDEX "backup_runs_site_id_started_at_idx" ON "backup_runs"("site_id", "started_at");
CREATE INDEX "legal_cases_status_idx" ON "legal_cases"("status");
CREATE INDEX "legal_cases_site_id_idx" ON "legal_cases"("site_id");
CREATE INDEX "legal_notices_site_id_idx" ON "legal_notices"("site_id");
CREATE INDEX "legal_notices_received_at_idx" ON "legal_notices"("received_at");

-- AddForeignKey
ALTER TABLE "sites" ADD CONSTRAINT "sites_member_id_fkey" FOREIGN KEY ("member_id") REFERENCES "members"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "site_domains" ADD CONSTRAINT "site_domains_site_id_fkey" FOREIGN KEY ("site_id") REFERENCES "sites"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "api_tokens" ADD CONSTRAINT "api_tokens_member_id_fkey" FOREIGN KEY ("member_id") REFERENCES "members"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "https_states" ADD CONSTRAINT "https_states_site_id_fkey" FOREIGN KEY ("site_id") REFERENCES "sites"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "certificates" ADD CONSTRAINT "certificates_site_id_fkey" FOREIGN KEY ("site_id") REFERENCES "sites"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "logging_policies" ADD CONSTRAINT "logging_policies_site_id_fkey" FOREIGN KEY ("site_id") REFERENCES "sites"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "attestations" ADD CONSTRAINT "attestations_site_id_fkey" FOREIGN KEY ("site_id") REFERENCES "sites"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "backup_policies" ADD CONSTRAINT "backup_policies_site_id_fkey" FOREIGN KEY ("site_id") REFERENCES "sites"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "backup_runs" ADD CONSTRAINT "backup_runs_site_id_fkey" FOREIGN KEY ("site_id") REFERENCES "sites"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "legal_cases" ADD CONSTRAINT "legal_cases_site_id_fkey" FOREIGN KEY ("site_id") REFERENCES "sites"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "legal_notices" ADD CONSTRAINT "legal_notices_site_id_fkey" FOREIGN KEY ("site_id") REFERENCES "sites"("id") ON DELETE CASCADE ON UPDATE CASCADE;
