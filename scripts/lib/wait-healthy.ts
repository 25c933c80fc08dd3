import type { ChildProcess } from 'node:child_process';

/**
 * Polls a just-started service's /health until it answers 200 (about 30 s at
 * most). Given the service's process, gives up as soon as that process exits.
 */
export async function waitHealthy(port: number, child?: ChildProcess): Promise<void> {
  for (let attempt = 0; attempt < 150; attempt++) {
    if (child && child.exitCode !== null) throw new Error(`the API exited with code ${child.exitCode}`);
    if (await fetch(`http://127.0.0.1:${port}/health`).then((res) => res.ok, () => false)) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error('the API did not become healthy');
}
