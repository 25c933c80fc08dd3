import type { PrismaService } from '../../src/core/database/prisma.service.js';

/**
 * Backup repositories and the host signing key are sealed with the SECRETS_KEY
 * of the app that made them, and every suite's app has its own key. A suite
 * that makes them removes them when it ends (and the signing key before it
 * starts), so the next suite on the same database can open what it finds.
 */
export async function forgetBackupSecrets(prisma: PrismaService): Promise<void> {
  await prisma.backupRepository.deleteMany();
  await prisma.signingKey.deleteMany();
}
