// Entry point: loads .env, builds the app and wires process signals.
import './preload';
import { createApp } from './app';
import { loadConfig } from './config';
import { ConfigError } from './configError';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`Configuration error: ${err.message}`);
      process.exit(2);
    }
    throw err;
  }
  const app = await createApp(config).catch((err) => {
    if (err instanceof ConfigError) {
      console.error(`Configuration error: ${err.message}`);
      process.exit(2);
    }
    throw err;
  });
  app.log.info('bot listening', {
    url: `${app.url}/api/messages`,
    database: config.databasePath,
    auth: config.microsoftAppId ? 'Bot Framework JWT' : 'anonymous (Emulator/local)',
  });

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

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
