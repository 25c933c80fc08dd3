import { defineConfig } from 'prisma/config';

// Prisma 7 keeps connection URLs out of schema.prisma. Only `prisma migrate status`
// (on a machine that has the schema engine) reads this; the service and
// scripts/migrate.ts read DATABASE_URL through src/config.
export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  datasource: { url: process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/hostkeeper' },
});
