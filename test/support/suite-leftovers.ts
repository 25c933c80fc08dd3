import type { PrismaService } from '../../src/core/database/prisma.service.js';

/**
 * Suites run one after another on one database, and a worker's reconcile takes
 * every queued or running operation it finds. A suite that leaves work undone
 * on purpose (Redis stopped, no nginx for its sites) closes it when it ends,
 * so the next suite's workers do not pick it up.
 */
export async function closeLeftoverOperations(prisma: PrismaService): Promise<void> {
  await prisma.operation.updateMany({
    where: { status: { in: ['queued', 'running'] } },
    data: { status: 'failed', error: 'left over when its test suite ended', finishedAt: new Date(), leaseUntil: null },
  });
}
