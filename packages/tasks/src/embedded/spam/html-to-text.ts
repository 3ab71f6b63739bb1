const NAMED_ENTITIES: Record<string, string> = {
  nbsp: ' ', amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", copy: '©', reg: '®', trade: '™',
  middot: '·', bull: '•', hellip: '…', mdash: '—', ndash: '–', lsquo: '‘', rsquo: '’', ldquo: '“', rdquo: '”',
  euro: '€', pound: '£', yen: '¥', cent: '¢', laquo: '«', raquo: '»', deg: '°',
};

/**
 * Turns an HTML document into plain text: comments, `<script>`, `<style>` and `<head>` removed
 * with their content, block tags (`<p>`, `<br>`, `<div>`, `<tr>`, `<li>`, headings) turned into
 * line breaks, every other tag removed, character references decoded.
 *
 * @example
 * ```ts
 * htmlToText('<html><body><p>Buy&nbsp;<b>now</b>!</p></body></html>'); // 'Buy now!'
 * ```
 */
export function htmlToText(html: string): string {
  return decodeEntities(
    html
      .replace(/<!--[\s\S]*?(?:-->|$)/g, ' ')
      .replace(/<(script|style|title)\b[^>]*>[\s\S]*?<\/\1\s*>/gi, ' ')
      .replace(/<\/?(?:p|br|div|tr|li|h[1-6]|table|blockquote|hr)\b[^>]*>/gi, '\n')
      .replace(/<\/?[A-Za-z!][^>]*>/g, ' '),
  )
    .replace(/[ \t\u00a0]+/g, ' ')
    .replace(/\s*\n\s*/g, '\n')
    .trim();
}

/** True when a text reads as HTML (an `<html>`/`<body>` tag or several common tags). */
export function looksLikeHtml(text: string): boolean {
  if (/<(?:html|body)\b/i.test(text)) return true;
  const tags = text.match(/<\/?(?:table|tr|td|div|font|p|br|a|img|span|center|b|i|u)\b[^>]*>/gi);
  return tags !== null && tags.length >= 3;
}

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);?/gi, (match, name: string) => {
    if (name[0] === '#') {
      const code = name[1] === 'x' || name[1] === 'X' ? Number.parseInt(name.slice(2), 16) : Number.parseInt(name.slice(1), 10);
      return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : ' ';
    }
    return NAMED_ENTITIES[name.toLowerCase()] ?? match;
  });
}
