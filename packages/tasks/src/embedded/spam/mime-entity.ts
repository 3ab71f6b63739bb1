import { htmlToText, looksLikeHtml } from './html-to-text';
import { decodeBase64, decodeQuotedPrintable } from './transfer-decoding';

/** A message or a MIME part: its headers (lower-cased names, first occurrence) and its raw body. */
export interface MimeEntity {
  headers: Map<string, string>;
  body: string;
}

const HEADER_LINE = /^([!-9;-~]+):[ \t]*(.*)$/;
const MAX_DEPTH = 6;

/**
 * Splits a raw message (or MIME part) into headers and body at the first blank line. Header
 * continuation lines are unfolded; a leading mbox `From ` line is skipped.
 *
 * @example
 * ```ts
 * const entity = parseMimeEntity('Subject: hi\nContent-Type: text/plain\n\nHello');
 * entity.headers.get('subject'); // 'hi'
 * entity.body; // 'Hello'
 * ```
 */
export function parseMimeEntity(raw: string): MimeEntity {
  const text = raw.replace(/\r\n?/g, '\n');
  const separator = /\n[ \t]*\n/.exec(text);
  const headerBlock = separator === null ? text : text.slice(0, separator.index);
  const headers = new Map<string, string>();
  if (text.startsWith('\n')) return { headers, body: text.slice(1) };
  let name: string | undefined;
  for (const line of headerBlock.split('\n')) {
    const match = HEADER_LINE.exec(line);
    if (match !== null) {
      name = match[1].toLowerCase();
      if (!headers.has(name)) headers.set(name, match[2]);
    } else if (/^[ \t]/.test(line) && name !== undefined && headers.get(name) !== undefined) {
      headers.set(name, `${headers.get(name)} ${line.trim()}`);
    }
  }
  if (headers.size === 0) return { headers, body: text };
  return { headers, body: separator === null ? '' : text.slice(separator.index + separator[0].length) };
}

/** A parsed `Content-Type` header: the lower-cased media type and its parameters. */
export interface ContentType {
  mediaType: string;
  parameters: Map<string, string>;
}

/**
 * Parses a `Content-Type` value; a missing one means `text/plain`.
 *
 * @example
 * ```ts
 * parseContentType('text/html; charset="ISO-8859-1"').parameters.get('charset'); // 'iso-8859-1'
 * ```
 */
export function parseContentType(value: string | undefined): ContentType {
  const [mediaType, ...rest] = (value ?? 'text/plain').split(';');
  const parameters = new Map<string, string>();
  for (const match of rest.join(';').matchAll(/([A-Za-z0-9_-]+)\s*=\s*(?:"([^"]*)"|([^;\s]*))/g)) {
    const key = match[1].toLowerCase();
    const parameter = match[2] ?? match[3] ?? '';
    parameters.set(key, key === 'boundary' ? parameter : parameter.toLowerCase());
  }
  return { mediaType: mediaType.trim().toLowerCase() || 'text/plain', parameters };
}

/**
 * The readable text of a message: multipart bodies walked (the plain-text alternative preferred,
 * attachments that are not text skipped, attached messages followed), base64 and
 * quoted-printable decoded in the part's charset, HTML turned into text.
 *
 * @example
 * ```ts
 * extractText(parseMimeEntity('Content-Transfer-Encoding: base64\n\nSGVsbG8='));  // 'Hello'
 * ```
 */
export function extractText(entity: MimeEntity, depth = 0): string {
  const contentType = parseContentType(entity.headers.get('content-type'));
  const boundary = contentType.parameters.get('boundary');
  if (contentType.mediaType.startsWith('multipart/') && boundary !== undefined && depth < MAX_DEPTH) {
    const parts = splitMultipart(entity.body, boundary).map(parseMimeEntity);
    if (contentType.mediaType === 'multipart/alternative') {
      const plain = parts.find((part) => parseContentType(part.headers.get('content-type')).mediaType === 'text/plain');
      const chosen = plain !== undefined && extractText(plain, depth + 1).trim() !== '' ? plain : parts[parts.length - 1];
      return chosen === undefined ? '' : extractText(chosen, depth + 1);
    }
    return parts
      .map((part) => extractText(part, depth + 1))
      .filter((text) => text.trim() !== '')
      .join('\n');
  }
  if (contentType.mediaType === 'message/rfc822' && depth < MAX_DEPTH) return extractText(parseMimeEntity(entity.body), depth + 1);
  if (!contentType.mediaType.startsWith('text/') && !contentType.mediaType.startsWith('multipart/')) return '';
  const charset = contentType.parameters.get('charset');
  const encoding = (entity.headers.get('content-transfer-encoding') ?? '').trim().toLowerCase();
  let text = entity.body;
  if (encoding === 'base64') text = decodeBase64(text, charset);
  else if (encoding === 'quoted-printable') text = decodeQuotedPrintable(text, charset);
  return contentType.mediaType === 'text/html' || looksLikeHtml(text) ? htmlToText(text) : text;
}

function splitMultipart(body: string, boundary: string): string[] {
  const delimiter = `--${boundary}`;
  const parts: string[] = [];
  let current: string[] | undefined;
  for (const line of body.split('\n')) {
    if (line.startsWith(delimiter)) {
      if (current !== undefined) parts.push(current.join('\n'));
      if (line.slice(delimiter.length).startsWith('--')) return parts;
      current = [];
    } else if (current !== undefined) {
      current.push(line);
    }
  }
  if (current !== undefined) parts.push(current.join('\n'));
  // A multipart body without any delimiter is treated as one part (malformed spam is common).
  return parts.length > 0 ? parts : [`\n${body}`];
}
