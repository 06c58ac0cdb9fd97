import type { Logger } from '../log';
import type { ChannelSettings } from './config';
import { ChannelHost, type ChannelHostOptions } from './host';
import { LinePlatform } from './line';
import { TelegramPlatform } from './telegram';
import type { Platform } from './types';
import { WeChatPlatform } from './wechat';
import { WhatsAppPlatform } from './whatsapp';

export type { ChannelSettings } from './config';
export { loadChannelSettings } from './config';
export type { ChannelHost } from './host';

/** The platforms whose settings are present. */
export function createPlatforms(s: ChannelSettings, log: Logger): Platform[] {
  const out: Platform[] = [];
  if (s.line) out.push(new LinePlatform(s.line, log, s.retry));
  if (s.telegram) out.push(new TelegramPlatform(s.telegram, log, s.retry));
  if (s.wechat) out.push(new WeChatPlatform(s.wechat, log, s.retry));
  if (s.whatsapp) out.push(new WhatsAppPlatform(s.whatsapp, log, s.retry));
  return out;
}

/** Registers the webhooks of the enabled channels on the server (nothing when none is configured). */
export function createChannels(s: ChannelSettings, o: Omit<ChannelHostOptions, 'platforms'>): Promise<ChannelHost> {
  return ChannelHost.create({ ...o, platforms: createPlatforms(s, o.log) });
}
