const CHARSET_ALIASES: Record<string, string> = { chinesebig5: 'big5', 'x-gbk': 'gbk', gb2312_charset: 'gb2312' };

/**
 * Decodes bytes in a MIME charset with the runtime's `TextDecoder` (ICU: ISO-8859-*, windows-125x,
 * KOI8-R, Big5, GB2312, EUC-KR, ISO-2022-JP, UTF-8, ...). An unknown or missing charset falls
 * back to UTF-8 when the bytes are valid UTF-8, else to windows-1252 (a superset of Latin-1).
 *
 * @example
 * ```ts
 * decodeBytes(Uint8Array.of(0x63, 0x61, 0x66, 0xe9), 'iso-8859-1'); // 'café'
 * ```
 */
export function decodeBytes(bytes: Uint8Array, charset: string | undefined): string {
  const label = charset === undefined ? undefined : (CHARSET_ALIASES[charset] ?? charset);
  if (label !== undefined) {
    try {
      return new TextDecoder(label).decode(bytes);
    } catch {
      // unknown label ("default_charset", "unknown-8bit"): fall through
    }
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return new TextDecoder('windows-1252').decode(bytes);
  }
}

/**
 * Decodes a quoted-printable body (RFC 2045): soft line breaks (`=` at a line end) removed,
 * `=XX` turned into bytes, the bytes decoded in `charset`. Characters outside ASCII that are
 * already in the text (the corpus was read as Unicode) are kept as they are.
 *
 * @example
 * ```ts
 * decodeQuotedPrintable('caf=E9 au l=\nait', 'iso-8859-1'); // 'café au lait'
 * ```
 */
export function decodeQuotedPrintable(body: string, charset: string | undefined): string {
  const text = body.replace(/=[ \t]*\r?\n/g, '');
  let output = '';
  let bytes: number[] = [];
  const flush = (): void => {
    if (bytes.length > 0) output += decodeBytes(Uint8Array.from(bytes), charset);
    bytes = [];
  };
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === 61 && /^[0-9A-Fa-f]{2}$/.test(text.slice(i + 1, i + 3))) {
      bytes.push(Number.parseInt(text.slice(i + 1, i + 3), 16));
      i += 2;
    } else if (code < 128) {
      bytes.push(code);
    } else {
      flush();
      output += text[i];
    }
  }
  flush();
  return output;
}

/**
 * Decodes a base64 body (characters outside the base64 alphabet ignored) in `charset`.
 *
 * @example
 * ```ts
 * decodeBase64('SGVsbG8sIHdvcmxkIQ==', 'us-ascii'); // 'Hello, world!'
 * ```
 */
export function decodeBase64(body: string, charset: string | undefined): string {
  const clean = body.replace(/[^A-Za-z0-9+/=]/g, '');
  return decodeBytes(Buffer.from(clean, 'base64'), charset);
}
