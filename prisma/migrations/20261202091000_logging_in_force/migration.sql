-- The logging mode each site's host runs, as its agent reported it after a reload.
ALTER TABLE "logging_policies" ADD COLUMN "mode_in_force" "LoggingMode";
