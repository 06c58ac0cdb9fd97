import type { Activity } from 'botbuilder';

/** A button before it has a short id: what it shows and what it sends back. */
export interface DraftChoice {
  title: string;
  /** Sent back as the activity's text (imBack) ... */
  text?: string;
  /** ... and/or as its value (postBack of an object, an Adaptive Card submit). */
  value?: unknown;
}
export interface Draft {
  text: string;
  choices: DraftChoice[];
}

/**
 * The bot's outgoing activity as text and buttons. Suggested actions and hero-card buttons become native
 * buttons; an Adaptive Card is never sent as-is: its text fallback (the activity's text) is sent, with
 * its submit actions as buttons. Typing, events and other non-messages are not for the customer.
 */
export function toDraft(a: Partial<Activity>): Draft | undefined {
  if (a.type !== 'message') return undefined;
  let text = typeof a.text === 'string' ? a.text : '';
  const choices: DraftChoice[] = [];
  const add = (b: any) => {
    if (!b || typeof b.title !== 'string' || !b.title) return;
    if (b.type === 'openUrl') return void (text += `\n${b.title}: ${b.value}`);
    if (b.type === 'Action.Submit') return void choices.push({ title: b.title, value: b.data });
    if (b.type === 'messageBack') return void choices.push({ title: b.title, text: b.text ?? b.displayText, value: b.value });
    if (typeof b.value === 'string') choices.push({ title: b.title, text: b.value });
    else choices.push({ title: b.title, text: b.title, value: b.value });
  };
  for (const action of a.suggestedActions?.actions ?? []) add(action);
  for (const att of a.attachments ?? []) {
    const c = att.content as any;
    if (!c || typeof c !== 'object') continue;
    if (att.contentType === 'application/vnd.microsoft.card.adaptive') {
      if (!text) text = cardText(c.body).join('\n');
      for (const action of [...collectActions(c.body), ...(Array.isArray(c.actions) ? c.actions : [])]) add(action);
    } else {
      // hero, thumbnail and similar cards: title, text, buttons
      const words = [c.title, c.subtitle, c.text].filter((s) => typeof s === 'string' && s && !text.includes(s));
      if (words.length) text = [text, ...words].filter(Boolean).join('\n');
      for (const b of Array.isArray(c.buttons) ? c.buttons : []) add(b);
    }
  }
  if (!text && !choices.length) return undefined;
  return { text, choices };
}

function cardText(body: unknown): string[] {
  if (!Array.isArray(body)) return [];
  return body.flatMap((el: any) => (el?.type === 'TextBlock' && typeof el.text === 'string' ? [el.text] : cardText(el?.items ?? el?.columns)));
}

function collectActions(body: unknown): any[] {
  if (!Array.isArray(body)) return [];
  return body.flatMap((el: any) => (el?.type === 'ActionSet' ? el.actions ?? [] : collectActions(el?.items ?? el?.columns)));
}

/** Cut to a platform's limit, by characters (not UTF-16 units, so a Chinese or emoji character is never split). */
export function clip(s: string, max: number): string {
  const chars = [...s];
  return chars.length <= max ? s : chars.slice(0, max - 1).join('') + '…';
}
