import { randomBytes } from 'node:crypto';
import { AppConfig, loadConfig } from '../../src/config/config.js';

/** Must match test/support/global-setup.ts, which creates and migrates it. */
export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL || 'postgresql://postgres@127.0.0.1:5432/hostkeeper_test';
/** Its own Redis database, so a test run never touches a sandbox's queues. */
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL || 'redis://127.0.0.1:6379/13';

/** Folders of the API-only suites; several checkouts on one machine give each its own. */
const TEST_TMP_DIR = process.env.TEST_TMP_DIR || '/tmp/hostkeeper-test';

/** Settings for a service under test; callers override what their suite needs. */
export function testConfig(env: Record<string, string> = {}): AppConfig {
  return loadConfig({
    NODE_ENV: 'test',
    // suites that need workers (and the nginx, pebble or restic behind them) ask for ROLE=all
    ROLE: 'api',
    DATABASE_URL: TEST_DATABASE_URL,
    REDIS_URL: TEST_REDIS_URL,
    SECRETS_KEY: randomBytes(32).toString('base64'),
    CRONS_ENABLED: 'false',
    STATE_DIR: `${TEST_TMP_DIR}/state`,
    SITES_ROOT: `${TEST_TMP_DIR}/www`,
    ACCESS_LOG_DIR: `${TEST_TMP_DIR}/logs`,
    NGINX_SITES_DIR: `${TEST_TMP_DIR}/nginx.d`,
    ...env,
  });
}
