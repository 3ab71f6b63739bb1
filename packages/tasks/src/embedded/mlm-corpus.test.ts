import { describe, expect, it } from 'vitest';
import { loadMlmCorpus } from './mlm-corpus';
import { loadMobyDickChapters } from './moby-dick-paragraphs';

describe('MLM corpus', () => {
  it('splits whole documents, about 5% of each source to validation', async () => {
    const corpus = await loadMlmCorpus();
    const { train, validation } = corpus.documents;
    expect(train.filter((id) => validation.includes(id))).toEqual([]);
    // 233 speeches + 138 chapters (the table of contents is not a document)
    expect(train.length + validation.length).toBe(371);
    expect(validation.filter((id) => id.startsWith('moby-dick/'))).toHaveLength(Math.round(138 * 0.05));
    expect(validation.filter((id) => !id.startsWith('moby-dick/'))).toHaveLength(Math.round(233 * 0.05));
    expect(corpus.stats.train.segments).toBe(corpus.train.length);
    expect(corpus.stats.validation.documents).toBe(validation.length);
    expect(corpus.stats.validation.characters).toBe(corpus.validation.reduce((total, text) => total + text.length, 0));
    expect([...corpus.train, ...corpus.validation].some((text) => /\s{2}|\n|^\s|\s$/.test(text))).toBe(false);
    expect(await loadMlmCorpus()).toEqual(corpus);
    expect((await loadMlmCorpus({ seed: 3 })).documents.validation).not.toEqual(validation);
  });

  it('keeps Moby Dick paragraphs without headings or the table of contents', async () => {
    const chapters = await loadMobyDickChapters();
    expect(chapters).toHaveLength(138);
    const paragraphs = chapters.flatMap((chapter) => chapter.paragraphs);
    expect(paragraphs.some((paragraph) => /^(?:CHAPTER|ETYMOLOGY\.|EXTRACTS\.|Epilogue ")/.test(paragraph))).toBe(false);
    expect(chapters.find((chapter) => chapter.id === 'moby-dick/1')!.paragraphs[0].startsWith('Call me Ishmael. Some years ago')).toBe(true);
    expect(chapters.find((chapter) => chapter.id === 'moby-dick/etymology')!.paragraphs[0].startsWith('The pale Usher')).toBe(true);
    const corpus = await loadMlmCorpus({ sources: ['moby-dick'] });
    expect(corpus.train.length + corpus.validation.length).toBe(paragraphs.length);
  });
});
