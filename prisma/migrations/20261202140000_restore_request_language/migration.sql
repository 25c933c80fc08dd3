-- The language of the mails the member gets about the request (what staff decided).
ALTER TABLE "restore_requests" ADD COLUMN "language" TEXT NOT NULL DEFAULT 'en';
ALTER TABLE "restore_requests" ADD CONSTRAINT "restore_requests_language_check" CHECK ("language" IN ('en', 'es'));
