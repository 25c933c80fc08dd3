-- CreateIndex
CREATE UNIQUE INDEX "operations_https_in_flight_key" ON "operations"("site_id") WHERE kind IN ('https.enable', 'https.renew', 'https.disable') AND status IN ('queued', 'running');
