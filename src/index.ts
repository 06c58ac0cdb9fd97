// Entry point: loads .env, builds the app and wires process signals.
import './preload';
import { createApp } from './app';
import { loadConfig } from './config';
import { ConfigError } from './configError';
import { StorageOpenError } from './storage/db';
import { loadAccounts } from './web/auth';
import { demoAccounts, isDevelopment } from './web/demoAccounts';

/** One line naming what is wrong and how to fix it, then a non-zero exit; a stack only with LOG_LEVEL=debug. */
function startFailed(err: unknown): never {
  if (err instanceof ConfigError) {
    console.error(`Configuration error: ${err.message}`);
    process.exit(2);
  }
  if (err instanceof StorageOpenError) {
    console.error(`Database error: ${err.message}`);
    process.exit(3);
  }
  const e = err as NodeJS.ErrnoException;
  if (e?.code === 'EADDRINUSE' || e?.code === 'EACCES') {
    console.error(`Cannot listen: ${e.message}. Stop the other process or set PORT (and HOST) to a free address.`);
    process.exit(4);
  }
  console.error(`Start-up failed: ${e?.message ?? String(err)}`);
  if (process.env.LOG_LEVEL === 'debug') console.error(e?.stack);
  process.exit(1);
}


function startBanner(url: string): string {
  return [
    '',
    `  Satisfaction bot is running at ${url}`,
    `    Start page        ${url}/`,
    `    Web chat          ${url}/chat`,
    `    Agent console     ${url}/agent`,
    `    Analyst workspace ${url}/analyst`,
    `    Health            ${url}/healthz`,
    `    Bot endpoint      ${url}/api/messages  (Bot Framework Emulator, channels)`,
    '',
  ].join('\n');
}

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    startFailed(err);
  }
  const app = await createApp(config).catch(startFailed);
  // Last line of defence: a fault that escaped every route guard is logged, and the service goes on serving.
  process.on('unhandledRejection', (error) => app.log.error('unhandled rejection (contained)', { error }));
  process.on('uncaughtException', (error) => app.log.error('uncaught exception (contained)', { error }));
  app.log.info('bot listening', {
    url: `${app.url}/api/messages`,
    database: config.databasePath,
    auth: config.microsoftAppId ? 'Bot Framework JWT' : 'anonymous (Emulator/local)',
  });
  // Where to go next, readable in a terminal (the JSON line above is for log collectors).
  console.log(startBanner(app.url));
  const demo = demoAccounts(loadAccounts(config.accountsFile));
  if (demo.length && !isDevelopment(process.env, config.microsoftAppId)) {
    app.log.warn('demo accounts in use outside development: change their passwords in config/accounts.yaml', { accounts: demo.map((a) => a.id), nodeEnv: process.env.NODE_ENV ?? '' });
  } else if (demo.length) {
    console.log(`  Demo logins (development only): ${demo.map((a) => `${a.id} / ${a.password}`).join(', ')}\n`);
  }

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    app.log.info('shutting down: finishing in-flight turns', { signal });
    await app.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

main().catch(startFailed);
