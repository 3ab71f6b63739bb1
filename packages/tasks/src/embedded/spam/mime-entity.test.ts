import { describe, expect, it } from 'vitest';
import { htmlToText, looksLikeHtml } from './html-to-text';
import { extractText, parseContentType, parseMimeEntity } from './mime-entity';
import { decodeBase64, decodeBytes, decodeQuotedPrintable } from './transfer-decoding';

describe('transfer decoding', () => {
  it('decodes quoted-printable with soft line breaks in the declared charset', () => {
    expect(decodeQuotedPrintable('caf=E9 au l=\nait=20', 'iso-8859-1')).toBe('café au lait ');
    expect(decodeQuotedPrintable('caf=C3=A9', 'utf-8')).toBe('café');
    expect(decodeQuotedPrintable('=D0=9F=D1=80=D0=B8', 'koi8-r')).not.toBe(decodeQuotedPrintable('=D0=9F=D1=80=D0=B8', 'utf-8'));
    expect(decodeQuotedPrintable('=D0=9F=D1=80=D0=B8', 'utf-8')).toBe('При');
  });

  it('decodes base64 in the declared charset and falls back for unknown charsets', () => {
    expect(decodeBase64('SGVsbG8s\nIHdvcmxkIQ==', 'us-ascii')).toBe('Hello, world!');
    expect(decodeBase64(Buffer.from('naïve', 'latin1').toString('base64'), 'iso-8859-1')).toBe('naïve');
    expect(decodeBytes(Uint8Array.from(Buffer.from('naïve', 'utf8')), 'default_charset')).toBe('naïve');
    expect(decodeBytes(Uint8Array.from(Buffer.from('naïve', 'latin1')), undefined)).toBe('naïve');
  });
});

describe('HTML to text', () => {
  it('drops tags, scripts, styles and comments and decodes entities', () => {
    const html = '<html><head><style>p { color: red }</style><title>t</title></head><body><!-- c --><p>Buy&nbsp;<b>now</b> &amp; save&#33;</p><script>x()</script><br>Bye &#x263A;</body></html>';
    expect(htmlToText(html)).toBe('Buy now & save!\nBye ☺');
    expect(looksLikeHtml(html)).toBe(true);
    expect(looksLikeHtml('a < b and c > d')).toBe(false);
  });
});

describe('MIME entities', () => {
  it('separates unfolded headers from the body', () => {
    const entity = parseMimeEntity('From someone  Thu Aug 22 2002\nSubject: a\n  long subject\nContent-Type: text/plain\r\n\r\nBody line\n\nmore');
    expect(entity.headers.get('subject')).toBe('a long subject');
    expect(entity.body).toBe('Body line\n\nmore');
    expect(parseContentType('Text/HTML; charset="ISO-8859-1"; boundary="AbC"')).toEqual({
      mediaType: 'text/html',
      parameters: new Map([
        ['charset', 'iso-8859-1'],
        ['boundary', 'AbC'],
      ]),
    });
  });

  it('prefers the plain alternative, decodes parts and skips binary attachments', () => {
    const message = [
      'Content-Type: multipart/mixed; boundary="outer"',
      '',
      'preamble',
      '--outer',
      'Content-Type: multipart/alternative; boundary="inner"',
      '',
      '--inner',
      'Content-Type: text/plain; charset=iso-8859-1',
      'Content-Transfer-Encoding: quoted-printable',
      '',
      'Plain caf=E9',
      '--inner',
      'Content-Type: text/html',
      '',
      '<p>HTML version</p>',
      '--inner--',
      '--outer',
      'Content-Type: image/gif',
      'Content-Transfer-Encoding: base64',
      '',
      'R0lGODlhAQABAAAAACw=',
      '--outer',
      'Content-Type: text/html; charset=utf-8',
      'Content-Transfer-Encoding: base64',
      '',
      Buffer.from('<b>Second</b> part ✓').toString('base64'),
      '--outer--',
    ].join('\n');
    expect(extractText(parseMimeEntity(message))).toBe('Plain café\nSecond part ✓');
  });
});
