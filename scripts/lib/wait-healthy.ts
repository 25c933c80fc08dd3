/** Polls a just-started service's /health until it answers 200 (about 30 s at most). */
export async function waitHealthy(port: number, attempts = 150): Promise<void> {
  for (let i = 0; i < attempts; i++) {
    if (await fetch(`http://127.0.0.1:${port}/health`).then((res) => res.ok, () => false)) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error('the API did not become healthy');
}
