import { loadDatabaseUrl } from './lib/cli-env.js';
import { migrate } from '../src/core/database/migrator.js';

async function main(): Promise<void> {
  const result = await migrate(loadDatabaseUrl());
  for (const name of result.applied) console.log(`applied ${name}`);
  console.log(`${result.applied.length} applied, ${result.alreadyApplied.length} already in place`);
}

main().catch((error: Error) => {
  console.error(error.message);
  process.exit(1);
});
