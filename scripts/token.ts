import 'reflect-metadata';
import { parseArgs } from 'node:util';
import { NestFactory } from '@nestjs/core';
import { Module } from '@nestjs/common';
import { loadConfig } from '../src/config/config.js';
import { ConfigModule } from '../src/config/config.module.js';
import type { ActorRole } from '../src/core/auth/actor.js';
import { AuditService } from '../src/core/audit/audit.service.js';
import { TokenService } from '../src/core/auth/token.service.js';
import { PrismaService } from '../src/core/database/prisma.service.js';

@Module({ providers: [PrismaService, TokenService, AuditService] })
class TokenCliModule {}

const ROLES: ActorRole[] = ['staff', 'member', 'legal'];

/** npm run token -- --role staff | --role member --member <id>. The token alone is the last line on stdout. */
async function main(): Promise<void> {
  const { values } = parseArgs({ options: { role: { type: 'string' }, member: { type: 'string' }, label: { type: 'string' } } });
  const role = values.role as ActorRole;
  if (!ROLES.includes(role)) throw new Error(`--role must be one of ${ROLES.join(', ')}`);

  const config = { ...loadConfig({ ...process.env, SECRETS_KEY: process.env.SECRETS_KEY || Buffer.alloc(32).toString('base64') }) };
  const app = await NestFactory.createApplicationContext(
    { module: TokenCliModule, imports: [ConfigModule.forRoot(config)] },
    { logger: false },
  );
  try {
    const created = await app.get(TokenService).create(role, values.member, values.label ?? 'created on the command line');
    await app.get(AuditService).record(
      { id: 'cli', role: 'system' },
      { action: 'token.create', targetType: 'token', targetId: created.id, changes: { role, memberId: values.member ?? null } },
    );
    console.error(`new ${role} token (shown once, store it now):`);
    console.log(created.token);
  } finally {
    await app.close();
  }
}

main().catch((error: Error) => {
  console.error(error.message);
  process.exit(1);
});
