/**
 * True when the promise fulfils within ms, false when the time runs out first
 * (the promise itself runs on); a rejection within the time is passed on.
 * The timer is always cleared, so it never holds a stopping process open.
 */
export async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const outOfTime = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([promise.then(() => true as const), outOfTime]);
  } finally {
    clearTimeout(timer);
  }
}
