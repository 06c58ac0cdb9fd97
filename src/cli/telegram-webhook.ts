/**
 * npm run telegram:webhook -- <public https base URL>   registers <base>/api/channels/telegram with setWebhook
 * npm run telegram:webhook -- --info                    shows Telegram's getWebhookInfo
 * Reads TELEGRAM_BOT_TOKEN, TELEGRAM_WEBHOOK_SECRET and TELEGRAM_API_BASE_URL from the environment (.env).
 */
import '../preload';
import { loadChannelSettings } from '../channels/config';
import { TelegramPlatform } from '../channels/telegram';
import { ConfigError } from '../configError';
import { createLogger } from '../log';

async function main(argv: string[]): Promise<number> {
  const arg = argv[0];
  if (!arg || arg === '--help' || argv.length > 1) {
    console.error('usage: npm run telegram:webhook -- <public https base URL, e.g. https://bot.example.com> | --info');
    return arg === '--help' ? 0 : 2;
  }
  const s = loadChannelSettings(process.env);
  if (!s.telegram) throw new ConfigError('.env', 'TELEGRAM_BOT_TOKEN', 'is not set: the Telegram channel is off');
  const tg = new TelegramPlatform(s.telegram, createLogger('warn'), s.retry);
  if (arg === '--info') {
    console.log(JSON.stringify(await tg.getWebhookInfo()));
    return 0;
  }
  let base: URL;
  try {
    base = new URL(arg);
  } catch {
    console.error(`not a URL: ${arg}`);
    return 2;
  }
  // Telegram only delivers to HTTPS (ports 443, 80, 88, 8443); http is allowed for a loopback stand-in only.
  if (base.protocol !== 'https:' && !['127.0.0.1', 'localhost'].includes(base.hostname)) {
    console.error('Telegram delivers webhooks over HTTPS only: give the https:// address the bot is reachable at');
    return 2;
  }
  const url = `${base.origin}${base.pathname.replace(/\/+$/, '')}/api/channels/telegram`;
  await tg.setWebhook(url);
  console.log(`webhook set: ${url}`);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    console.error(err instanceof ConfigError ? `Configuration error: ${err.message}` : `telegram:webhook failed: ${(err as Error).message}`);
    process.exit(err instanceof ConfigError ? 2 : 1);
  },
);
