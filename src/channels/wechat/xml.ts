/**
 * WeChat's message XML is one flat <xml> element of text or CDATA children; this reads and writes that
 * form only (no entities beyond the five, no attributes, no nesting), which is all the platform sends.
 */
export function parseFlatXml(xml: string): Record<string, string> {
  const m = /^\s*(?:<\?xml[^>]*\?>\s*)?<xml>([\s\S]*)<\/xml>\s*$/.exec(xml);
  if (!m) throw new Error('not a WeChat <xml> message');
  const out: Record<string, string> = {};
  const re = /<([A-Za-z_][\w]*)>(?:<!\[CDATA\[([\s\S]*?)\]\]>|([^<]*))<\/\1>/g;
  let hit: RegExpExecArray | null;
  while ((hit = re.exec(m[1]))) out[hit[1]] = hit[2] ?? unescape(hit[3] ?? '');
  return out;
}

export function flatXml(fields: Record<string, string | number>): string {
  const body = Object.entries(fields)
    .map(([k, v]) => (typeof v === 'number' ? `<${k}>${v}</${k}>` : `<${k}><![CDATA[${String(v).replace(/]]>/g, ']]]]><![CDATA[>')}]]></${k}>`))
    .join('');
  return `<xml>${body}</xml>`;
}

function unescape(s: string): string {
  return s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, '&');
}
