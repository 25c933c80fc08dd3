import { permits, workerUserOf } from './nginx-workers.check.js';

describe('nginx workers check', () => {
  it('reads the user line of nginx.conf, not a commented one', () => {
    expect(workerUserOf('user www-data;\nworker_processes auto;')).toBe('www-data');
    expect(workerUserOf('load_module x.so;\nuser  nginx nginx;\n')).toBe('nginx');
    expect(workerUserOf('# user nginx;\nworker_processes 1;')).toBeUndefined();
    expect(workerUserOf(undefined)).toBeUndefined();
  });

  it('decides like the kernel: owner class, then group, then others', () => {
    const www = { name: 'www-data', uid: 33, gid: 33, groups: [33, 4] };
    expect(permits(www, { uid: 33, gid: 33, mode: 0o750 }, 2 | 1)).toBe(true);
    expect(permits(www, { uid: 0, gid: 0, mode: 0o755 }, 2 | 1)).toBe(false);
    expect(permits(www, { uid: 0, gid: 4, mode: 0o750 }, 4 | 1)).toBe(true);
    expect(permits(www, { uid: 0, gid: 0, mode: 0o700 }, 1)).toBe(false);
    expect(permits(www, { uid: 0, gid: 0, mode: 0o711 }, 1)).toBe(true);
    // the owner class decides alone, even when others may more
    expect(permits(www, { uid: 33, gid: 0, mode: 0o077 }, 1)).toBe(false);
  });
});
