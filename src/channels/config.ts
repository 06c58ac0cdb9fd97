import { ConfigError } from '../configError';
import type { LineSettings } from './line';
import type { TelegramSettings } from './telegram';
import type { WeChatSettings } from './wechat';
import type { WhatsAppSettings } from './whatsapp';
import type { RetrySettings } from './outbound';

/** Messaging-app channels: each is present only when its settings are. */
export interface ChannelSettings {
  retry: RetrySettings;
  line?: LineSettings;
  telegram?: TelegramSettings;
  wechat?: WeChatSettings;
  whatsapp?: WhatsAppSettings;
}

type Env = Record<string, string | undefined>;
const fail = (key: string, problem: string): never => {
  throw new ConfigError('.env', key, problem);
};

/** A channel is on when any of its required keys is set; then all of them must be. */
function group(env: Env, keys: string[]): Record<string, string> | undefined {
  const set = keys.filter((k) => env[k]);
  if (!set.length) return undefined;
  for (const k of keys) if (!env[k]) fail(k, `is required when ${set[0]} is set (set all of ${keys.join(', ')}, or none)`);
  return Object.fromEntries(keys.map((k) => [k, env[k]!.trim()]));
}

function url(env: Env, key: string, dflt: string): string {
  const raw = env[key] || dflt;
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    return fail(key, `must be an http(s) URL, got "${raw}"`);
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') fail(key, `must be an http(s) URL, got "${raw}"`);
  return raw.replace(/\/+$/, '');
}

function int(env: Env, key: string, dflt: number, min: number, max: number): number {
  const raw = env[key];
  if (raw === undefined || raw === '') return dflt;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) fail(key, `must be an integer in ${min}..${max}, got "${raw}"`);
  return n;
}

export function loadChannelSettings(env: Env): ChannelSettings {
  const rate = env.CHANNELS_RATE_PER_SECOND ? int(env, 'CHANNELS_RATE_PER_SECOND', 0, 1, 10_000) : undefined;
  const out: ChannelSettings = {
    retry: { attempts: int(env, 'CHANNELS_RETRY_ATTEMPTS', 4, 1, 10), baseDelayMs: int(env, 'CHANNELS_RETRY_BASE_MS', 500, 1, 60_000), ratePerSecond: rate },
  };

  const line = group(env, ['LINE_CHANNEL_SECRET', 'LINE_CHANNEL_ACCESS_TOKEN']);
  if (line)
    out.line = {
      channelSecret: line.LINE_CHANNEL_SECRET,
      accessToken: line.LINE_CHANNEL_ACCESS_TOKEN,
      apiBaseUrl: url(env, 'LINE_API_BASE_URL', 'https://api.line.me'),
      replyTokenTtlMs: int(env, 'LINE_REPLY_TOKEN_TTL_SECONDS', 50, 0, 600) * 1000,
    };

  const tg = group(env, ['TELEGRAM_BOT_TOKEN', 'TELEGRAM_WEBHOOK_SECRET']);
  if (tg) {
    if (!/^\d+:[\w-]+$/.test(tg.TELEGRAM_BOT_TOKEN)) fail('TELEGRAM_BOT_TOKEN', 'must look like 123456:ABC-DEF... (from @BotFather)');
    // Telegram's own rule for secret_token.
    if (!/^[A-Za-z0-9_-]{1,256}$/.test(tg.TELEGRAM_WEBHOOK_SECRET)) fail('TELEGRAM_WEBHOOK_SECRET', 'must be 1-256 characters of A-Z, a-z, 0-9, _ and -');
    out.telegram = { botToken: tg.TELEGRAM_BOT_TOKEN, webhookSecret: tg.TELEGRAM_WEBHOOK_SECRET, apiBaseUrl: url(env, 'TELEGRAM_API_BASE_URL', 'https://api.telegram.org') };
  }

  const wc = group(env, ['WECHAT_TOKEN', 'WECHAT_APP_ID', 'WECHAT_APP_SECRET']);
  if (wc) {
    const aes = env.WECHAT_ENCODING_AES_KEY?.trim() || undefined;
    if (aes && !/^[A-Za-z0-9+/]{43}$/.test(aes)) fail('WECHAT_ENCODING_AES_KEY', 'must be the 43-character EncodingAESKey from the WeChat console');
    out.wechat = {
      token: wc.WECHAT_TOKEN,
      appId: wc.WECHAT_APP_ID,
      appSecret: wc.WECHAT_APP_SECRET,
      encodingAesKey: aes,
      apiBaseUrl: url(env, 'WECHAT_API_BASE_URL', 'https://api.weixin.qq.com'),
      passiveWaitMs: int(env, 'WECHAT_PASSIVE_WAIT_MS', 4000, 0, 4500),
      windowMaxMessages: int(env, 'WECHAT_WINDOW_MAX_MESSAGES', 20, 1, 1000),
    };
  } else if (env.WECHAT_ENCODING_AES_KEY) fail('WECHAT_TOKEN', 'is required when WECHAT_ENCODING_AES_KEY is set');

  const wa = group(env, ['WHATSAPP_VERIFY_TOKEN', 'WHATSAPP_APP_SECRET', 'WHATSAPP_ACCESS_TOKEN', 'WHATSAPP_PHONE_NUMBER_ID']);
  if (wa) {
    if (!/^\d+$/.test(wa.WHATSAPP_PHONE_NUMBER_ID)) fail('WHATSAPP_PHONE_NUMBER_ID', 'must be the numeric phone-number id from the WhatsApp Manager');
    const tpl = env.WHATSAPP_SURVEY_TEMPLATE?.trim();
    let surveyTemplate: WhatsAppSettings['surveyTemplate'];
    if (tpl) {
      const m = /^([a-z0-9_]{1,512}):([A-Za-z_]{2,10})$/.exec(tpl);
      if (!m) fail('WHATSAPP_SURVEY_TEMPLATE', `must be <template_name>:<language>, e.g. survey_invite:en_US, got "${tpl}"`);
      surveyTemplate = { name: m![1], language: m![2] };
    }
    out.whatsapp = {
      verifyToken: wa.WHATSAPP_VERIFY_TOKEN,
      appSecret: wa.WHATSAPP_APP_SECRET,
      accessToken: wa.WHATSAPP_ACCESS_TOKEN,
      phoneNumberId: wa.WHATSAPP_PHONE_NUMBER_ID,
      apiBaseUrl: url(env, 'WHATSAPP_API_BASE_URL', 'https://graph.facebook.com/v21.0'),
      surveyTemplate,
    };
  } else if (env.WHATSAPP_SURVEY_TEMPLATE) fail('WHATSAPP_VERIFY_TOKEN', 'is required when WHATSAPP_SURVEY_TEMPLATE is set');
  return out;
}
