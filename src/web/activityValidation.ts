/** Checks an inbound /api/messages body before the adapter sees it, so bad input gets a clear 4xx. */
export function validateActivityBody(contentType: string | undefined, body: unknown): { status: number; message: string } | undefined {
  if (!contentType || !/json/i.test(contentType)) return { status: 415, message: 'Content-Type must be application/json' };
  if (body === undefined || body === null || typeof body !== 'object' || Array.isArray(body))
    return { status: 400, message: 'body must be a JSON object (a Bot Framework Activity)' };
  const a = body as Record<string, unknown>;
  if (typeof a.type !== 'string' || !a.type) return { status: 400, message: 'activity.type is required' };
  if (typeof a.serviceUrl !== 'string' || !/^https?:\/\//.test(a.serviceUrl)) return { status: 400, message: 'activity.serviceUrl must be an http(s) URL' };
  const conv = a.conversation as Record<string, unknown> | undefined;
  if (!conv || typeof conv.id !== 'string' || !conv.id) return { status: 400, message: 'activity.conversation.id is required' };
  if (a.type === 'message' && a.text !== undefined && typeof a.text !== 'string') return { status: 400, message: 'activity.text must be a string' };
  if (a.from !== undefined && (typeof a.from !== 'object' || a.from === null)) return { status: 400, message: 'activity.from must be an object' };
  if (typeof a.text === 'string' && a.text.length > 20_000) return { status: 413, message: 'activity.text is longer than 20000 characters' };
  return undefined;
}
