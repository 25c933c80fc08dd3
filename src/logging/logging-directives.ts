import { join } from 'node:path';

export type LoggingModeName = 'off' | 'anonymized' | 'full';

export interface LoggingDirectives {
  /** lines for every server block (HTTP and HTTPS) of the site */
  serverLines: string[];
}

const SITE_KEY = /^[a-z0-9-][a-z0-9.-]*$/;

/**
 * Access logs are written one file per site per day: <ACCESS_LOG_DIR>/<site>/access-YYYY-MM-DD.log.
 * The key is checked here because the folder is also what the purge deletes from.
 */
export function siteLogDir(accessLogDir: string, siteKey: string): string {
  if (!SITE_KEY.test(siteKey) || siteKey.includes('..')) throw new Error(`not a valid site key: ${JSON.stringify(siteKey)}`);
  return join(accessLogDir, siteKey);
}

export const ACCESS_LOG_FILE = /^access-(\d{4}-\d{2}-\d{2})\.log(\.\d+)?(\.gz)?$/;

/**
 * http-level definitions shared by every site (written once into the sites
 * folder): the log formats and the maps that cut addresses and name the day.
 * The anonymised format holds no full address (IPv4 cut to /24, IPv6 to /48),
 * no user agent, no referrer and no query string ($uri has none).
 */
export function loggingHttpConf(): string {
  return [
    'map $time_iso8601 $hk_log_day {',
    '    "~^(?<day>\\d{4}-\\d{2}-\\d{2})" $day;',
    '    default "undated";',
    '}',
    'map $remote_addr $hk_anon_addr {',
    '    "~^(?<net>\\d+\\.\\d+\\.\\d+)\\.\\d+$" $net.0;',
    '    "~^(?<net>[0-9a-fA-F]{1,4}:[0-9a-fA-F]{1,4}:[0-9a-fA-F]{1,4}):" $net::;',
    '    "~^(?<net>[0-9a-fA-F]{1,4}:[0-9a-fA-F]{1,4})::" $net::;',
    '    "~^(?<net>[0-9a-fA-F]{1,4})::" $net::;',
    '    default "::";',
    '}',
    'log_format hk_anonymized \'$hk_anon_addr [$time_local] "$request_method $uri $server_protocol" $status $body_bytes_sent\';',
    'log_format hk_full \'$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent"\';',
    '',
  ].join('\n');
}

/**
 * What each mode puts into the site's server blocks. In `off` and
 * `anonymized` the site's error log goes nowhere: nginx writes the client
 * address into every error line, and that is what a subpoena would ask for.
 */
export function loggingDirectives(mode: LoggingModeName, logDir: string): LoggingDirectives {
  const accessPath = join(logDir, 'access-$hk_log_day.log');
  switch (mode) {
    case 'off':
      return { serverLines: ['access_log off;', 'error_log /dev/null;'] };
    case 'anonymized':
      return { serverLines: [`access_log ${accessPath} hk_anonymized;`, 'error_log /dev/null;'] };
    case 'full':
      return { serverLines: [`access_log ${accessPath} hk_full;`, `error_log ${join(logDir, 'error.log')} warn;`] };
  }
}
