import { describe, expect, it } from 'vitest';
import { loadSpamAssassinEmails, loadSpamTask } from './spam-task';

describe('SpamAssassin emails', () => {
  it('removes headers, decodes MIME and strips HTML', async () => {
    const emails = await loadSpamAssassinEmails();
    expect(emails).toHaveLength(6046);
    // Every raw message starts with a header block (an mbox "From " line, Return-Path:, Received: ...).
    expect(emails.some((email) => /^(?:Return-Path|Received|Delivered-To|Message-Id|X-[\w-]+|MIME-Version):/i.test(email.body))).toBe(false);
    const byId = new Map(emails.map((email) => [email.id, email]));
    // spam-2/00403 was saved wrapped twice (a second header block after the first): both are removed.
    expect(byId.get('spam-2/00403')!.body.startsWith('Copyright CashByNet 2000')).toBe(true);
    // spam-1/00095: a multipart/mixed spam whose text part is base64.
    expect(byId.get('spam-1/00095')!.body.startsWith('COPY DVD MOVIES TO CD-R RIGHT NOW! We have All the software')).toBe(true);
    // hard-ham-1/00007: quoted-printable ISO-8859-1 HTML with a soft line break ("Werbepart=\nner") and "erm=F6glichen".
    const german = byId.get('hard-ham-1/00007')!.body;
    expect(german).toContain('Bitte beachten Sie die Angebote unserer Werbepartner. Diese ermöglichen den kostenfreien Betrieb');
    expect(german).not.toMatch(/=\w\w|<br>|<BODY/);
    // easy-ham-1/00001: a plain-text reply; its first header was "Return-Path: <exmh-workers-admin@...>".
    expect(byId.get('easy-ham-1/00001')!.body).not.toContain('exmh-workers-admin');
  });
});

describe('spam task', () => {
  it('has no HTML, no duplicates, bounded bodies and a stratified split', async () => {
    const task = await loadSpamTask();
    const all = [...task.train, ...task.validation, ...task.test];
    // A plain-text post may quote one tag ("snippets unique to HTML (like '<br>')"); markup has many.
    const tags = /<\/?(?:html|body|head|table|tr|td|div|font|p|br|img|span|center)\b[^>]*>/gi;
    expect(all.filter((example) => (example.text.match(tags) ?? []).length >= 2)).toEqual([]);
    expect(all.some((example) => /<(?:html|body|table|td|font)\b/i.test(example.text))).toBe(false);
    expect(new Set(all.map((example) => example.text)).size).toBe(all.length);
    expect(new Set(all.map((example) => example.id)).size).toBe(all.length);
    expect(all.every((example) => example.text.length > 0 && example.text.length <= 2000)).toBe(true);
    const spamShare = (split: typeof all): number => split.filter((example) => example.label === 'spam').length / split.length;
    for (const split of [task.validation, task.test]) expect(Math.abs(spamShare(split) - spamShare(task.train))).toBeLessThan(0.01);
    expect(task.stats.majorityClass).toBe('ham');
    const test = task.stats.splits.test as { classCounts: Record<string, number>; majorityBaselineAccuracy: number };
    expect(test.majorityBaselineAccuracy).toBeCloseTo(test.classCounts.ham / task.test.length, 12);
  });

  it('is deterministic and has a stable fingerprint', async () => {
    const task = await loadSpamTask();
    const again = await loadSpamTask({ importer: (name) => import(/* @vite-ignore */ name) });
    expect(again).toEqual(task);
    expect([task.train.length, task.validation.length, task.test.length]).toEqual([4530, 567, 565]);
    expect(task.stats.splits.train).toMatchObject({ classCounts: { ham: 3278, spam: 1252 } });
    expect([task.train[0].id, task.validation[0].id, task.test[0].id]).toEqual(['easy-ham-1/00001', 'easy-ham-1/00010', 'easy-ham-1/00034']);
    const shorter = await loadSpamTask({ maxCharacters: 300 });
    expect(shorter.train.every((example) => example.text.length <= 300)).toBe(true);
  });
});
