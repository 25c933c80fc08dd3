import { FilesAdapter } from '../core/adapters/files.adapter.js';

export interface SystemUser {
  name: string;
  uid: number;
  gid: number;
  /** every group the user is in: its own and the ones /etc/group lists it in */
  groups: number[];
}

/** Where the names come from; tests may point elsewhere. */
export const PASSWD_FILE = '/etc/passwd';
export const GROUP_FILE = '/etc/group';

/** Looks a user up in /etc/passwd and /etc/group; undefined when there is no such user. */
export async function lookupUser(files: FilesAdapter, name: string, passwd = PASSWD_FILE, group = GROUP_FILE): Promise<SystemUser | undefined> {
  const text = (await files.readIfExists(passwd))?.toString('utf8') ?? '';
  const fields = text.split('\n').map((line) => line.split(':')).find((parts) => parts[0] === name && parts.length >= 4);
  if (!fields) return undefined;
  const uid = Number(fields[2]);
  const gid = Number(fields[3]);
  if (!Number.isInteger(uid) || !Number.isInteger(gid)) return undefined;
  const groups = new Set([gid]);
  for (const line of ((await files.readIfExists(group))?.toString('utf8') ?? '').split('\n')) {
    const [, , id, members = ''] = line.split(':');
    if (members.split(',').includes(name) && Number.isInteger(Number(id))) groups.add(Number(id));
  }
  return { name, uid, gid, groups: [...groups] };
}

/** The configured worker user, or `nobody` (nginx's own default) when this system has no such user. */
export async function resolveWorkerUser(files: FilesAdapter, name: string): Promise<{ user?: SystemUser; fellBack: boolean }> {
  const user = await lookupUser(files, name);
  if (user) return { user, fellBack: false };
  return { user: await lookupUser(files, 'nobody'), fellBack: true };
}
