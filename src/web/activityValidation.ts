/** Checks an inbound /api/messages body before the adapter sees it, so bad input gets a clear 4xx naming the field. */
export interface Problem {
  status: number;
  message: string;
}

const MAX_ID = 1024;
const MAX_TEXT = 20_000;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function idString(v: unknown, field: string, required: boolean): Problem | undefined {
  if (v === undefined && !required) return undefined;
  if (typeof v !== 'string' || !v.trim()) return { status: 400, message: `activity.${field} must be a non-empty string` };
  if (v.length > MAX_ID) return { status: 400, message: `activity.${field} is longer than ${MAX_ID} characters` };
  return undefined;
}

export function validateActivityBody(contentType: string | undefined, body: unknown): Problem | undefined {
  if (!contentType || !/^application\/([\w.+-]+\+)?json\b/i.test(contentType.trim())) return { status: 415, message: 'Content-Type must be application/json' };
  if (!isObject(body)) return { status: 400, message: 'body must be a JSON object (a Bot Framework Activity)' };
  const a = body;
  const type = idString(a.type, 'type', true);
  if (type) return type;
  for (const f of ['channelId', 'serviceUrl'] as const) {
    const p = idString(a[f], f, true);
    if (p) return p;
  }
  if (!/^https?:\/\/[^/?#\s]+/i.test(a.serviceUrl as string) || !parseUrl(a.serviceUrl as string)) return { status: 400, message: 'activity.serviceUrl must be an http(s) URL' };
  if (!isObject(a.conversation)) return { status: 400, message: 'activity.conversation must be an object with an id' };
  const conv = idString(a.conversation.id, 'conversation.id', true);
  if (conv) return conv;
  if (!isObject(a.from)) return { status: 400, message: 'activity.from must be an object with an id' };
  const from = idString(a.from.id, 'from.id', true);
  if (from) return from;
  if (a.recipient !== undefined && (!isObject(a.recipient) || (a.recipient.id !== undefined && typeof a.recipient.id !== 'string')))
    return { status: 400, message: 'activity.recipient must be an object with a string id' };
  // Redeliveries are recognised by id, so a message must carry one.
  const id = idString(a.id, 'id', a.type === 'message');
  if (id) return id;
  if (a.locale !== undefined && a.locale !== null && (typeof a.locale !== 'string' || a.locale.length > 64))
    return { status: 400, message: 'activity.locale must be a string (e.g. "zh-CN")' };
  if (a.text !== undefined && a.text !== null && typeof a.text !== 'string') return { status: 400, message: 'activity.text must be a string' };
  if (typeof a.text === 'string' && a.text.length > MAX_TEXT) return { status: 413, message: `activity.text is longer than ${MAX_TEXT} characters` };
  for (const f of ['timestamp', 'localTimestamp'] as const)
    if (a[f] !== undefined && a[f] !== null && (typeof a[f] !== 'string' || Number.isNaN(Date.parse(a[f] as string))))
      return { status: 400, message: `activity.${f} must be an ISO-8601 date string` };
  if (a.membersAdded !== undefined && (!Array.isArray(a.membersAdded) || !a.membersAdded.every((m) => isObject(m) && typeof m.id === 'string')))
    return { status: 400, message: 'activity.membersAdded must be a list of objects with a string id' };
  if (a.attachments !== undefined && a.attachments !== null && !Array.isArray(a.attachments)) return { status: 400, message: 'activity.attachments must be a list' };
  if (a.entities !== undefined && a.entities !== null && !Array.isArray(a.entities)) return { status: 400, message: 'activity.entities must be a list' };
  if (a.channelData !== undefined && a.channelData !== null && !isObject(a.channelData)) return { status: 400, message: 'activity.channelData must be an object' };
  // JSON.parse takes any depth, but storing the activity (JSON.stringify) would overflow the stack.
  if (tooDeep(a, MAX_DEPTH)) return { status: 400, message: `activity is nested deeper than ${MAX_DEPTH} levels` };
  return undefined;
}

export const MAX_DEPTH = 64;

/** Iterative, so the check itself cannot overflow the stack. */
export function tooDeep(root: unknown, max: number): boolean {
  const stack: [unknown, number][] = [[root, 0]];
  while (stack.length) {
    const [v, d] = stack.pop()!;
    if (!v || typeof v !== 'object') continue;
    if (d >= max) return true;
    for (const c of Object.values(v)) if (c && typeof c === 'object') stack.push([c, d + 1]);
  }
  return false;
}

function parseUrl(s: string): URL | undefined {
  try {
    return new URL(s);
  } catch {
    return undefined;
  }
}

/**
 * Without an App ID nobody is authenticated, so replies may only go to hosts named in
 * ALLOWED_SERVICE_URL_HOSTS: otherwise /api/messages would post to any address it is given.
 */
export function serviceUrlAllowed(serviceUrl: string, hosts: readonly string[]): boolean {
  const u = parseUrl(serviceUrl);
  if (!u) return false;
  const host = u.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return hosts.some((h) => h.replace(/^\[|\]$/g, '').toLowerCase() === host);
}
