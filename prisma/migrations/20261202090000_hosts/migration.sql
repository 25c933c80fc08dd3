-- Web hosts with an agent each; every site is placed on one.
CREATE TABLE "hosts" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "seal_public_key" TEXT,
    "sign_public_key" TEXT,
    "last_seen_at" TIMESTAMPTZ(3),
    "stopped_at" TIMESTAMPTZ(3),
    "agent_version" TEXT,
    "default_profile" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "hosts_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "hosts_name_key" ON "hosts"("name");

-- Sites made before hosts existed lived on the one nginx of the install: that host is "local".
INSERT INTO "hosts" ("id", "name")
SELECT gen_random_uuid(), 'local' WHERE EXISTS (SELECT 1 FROM "sites");

ALTER TABLE "sites" ADD COLUMN "host_id" UUID;
UPDATE "sites" SET "host_id" = (SELECT "id" FROM "hosts" WHERE "name" = 'local');
ALTER TABLE "sites" ALTER COLUMN "host_id" SET NOT NULL;

-- A site row written without a host (by a script, say) goes to the oldest host, made if there is none.
CREATE FUNCTION default_host_id() RETURNS uuid LANGUAGE plpgsql AS $$
DECLARE found uuid;
BEGIN
  SELECT id INTO found FROM hosts ORDER BY created_at, id LIMIT 1;
  IF found IS NULL THEN
    INSERT INTO hosts (id, name) VALUES (gen_random_uuid(), 'local') ON CONFLICT (name) DO NOTHING;
    SELECT id INTO found FROM hosts ORDER BY created_at, id LIMIT 1;
  END IF;
  RETURN found;
END $$;
ALTER TABLE "sites" ALTER COLUMN "host_id" SET DEFAULT default_host_id();
ALTER TABLE "sites" ADD COLUMN "desired_revision" INTEGER NOT NULL DEFAULT 0;
ALTER TABLE "sites" ADD COLUMN "applied_revision" INTEGER NOT NULL DEFAULT 0;
ALTER TABLE "sites" ADD COLUMN "desired_hash" TEXT;
ALTER TABLE "sites" ADD COLUMN "sent_at" TIMESTAMPTZ(3);
CREATE INDEX "sites_host_id_idx" ON "sites"("host_id");
ALTER TABLE "sites" ADD CONSTRAINT "sites_host_id_fkey" FOREIGN KEY ("host_id") REFERENCES "hosts"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

ALTER TABLE "operations" ADD COLUMN "waiting_for" TEXT;
