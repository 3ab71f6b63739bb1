import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DataFormatError } from '../errors/data-format-error';
import { loadSquad, parseSquad } from './squad';

const fixture = fileURLToPath(new URL('./__fixtures__/squad-mini.json', import.meta.url));

describe('loadSquad', () => {
  it('flattens the official layout into questions with their context and answers', async () => {
    const { version, examples } = await loadSquad(fixture);
    expect(version).toBe('1.1');
    expect(examples.map((example) => example.id)).toEqual(['56be4db0acb8001400a502ec', '56be4db0acb8001400a502ed', 'x1']);
    const [first] = examples;
    expect(first.title).toBe('Super_Bowl_50');
    expect(first.question).toBe('Which NFL team represented the AFC at Super Bowl 50?');
    expect(first.answers).toHaveLength(3);
    expect(first.answers[0]).toEqual({ text: 'Denver Broncos', answerStart: 93 });
    expect(first.context.slice(93, 93 + 'Denver Broncos'.length)).toBe('Denver Broncos');
    expect(examples[2].answers).toEqual([]);
  });

  it('names the path of a missing or mistyped field', () => {
    const bad = { data: [{ title: 't', paragraphs: [{ context: 'c', qas: [{ id: 'q', question: 'x', answers: [{ text: 'c' }] }] }] }] };
    expect(() => parseSquad(bad, 'bad.json')).toThrowError(DataFormatError);
    expect(() => parseSquad(bad, 'bad.json')).toThrowError(/bad\.json: .* at data\[0\]\.paragraphs\[0\]\.qas\[0\]\.answers\[0\]\.answer_start/);
    expect(() => parseSquad([], 'list.json')).toThrowError(/at the top level/);
  });

  it('rejects an answer beyond its context and a duplicate question id', () => {
    const outside = { data: [{ paragraphs: [{ context: 'short', qas: [{ id: 'q', question: '?', answers: [{ text: 'short', answer_start: 3 }] }] }] }] };
    expect(() => parseSquad(outside)).toThrowError(/answer outside its context at data\[0\]\.paragraphs\[0\]\.qas\[0\]\.answers\[0\]/);
    const question = { id: 'same', question: '?', answers: [] };
    const duplicate = { data: [{ paragraphs: [{ context: 'c', qas: [question, question] }] }] };
    expect(() => parseSquad(duplicate)).toThrowError(/duplicate question id at data\[0\]\.paragraphs\[0\]\.qas\[1\]/);
  });

  it('rejects an answer_start that does not point at the answer text, naming file, question and fix', () => {
    const context = 'Denver beat Carolina.';
    const shifted = { data: [{ paragraphs: [{ context, qas: [{ id: 'q-7', question: '?', answers: [{ text: 'Carolina', answer_start: 11 }] }] }] }] };
    const error = (() => {
      try {
        parseSquad(shifted, 'train-v1.1.json');
      } catch (caught) {
        return caught as DataFormatError;
      }
      throw new Error('no error');
    })();
    expect(DataFormatError.isInstance(error)).toBe(true);
    expect(error.message.startsWith('train-v1.1.json: the answer_start of question "q-7" does not point at its text (data[0].paragraphs[0].qas[0].answers[0])')).toBe(true);
    expect(error.expected).toBe('the context\'s characters 11 to 19 to read "Carolina"');
    expect(error.received).toBe('" Carolin"');
    expect(error.hint).toMatch(/occurs at character 12: fix answer_start in train-v1\.1\.json/);
    const absent = { data: [{ paragraphs: [{ context, qas: [{ id: 'q-8', question: '?', answers: [{ text: 'Broncos', answer_start: 0 }] }] }] }] };
    expect(() => parseSquad(absent, 'dev.json')).toThrowError(/question "q-8" does not point at its text/);
  });

  it('counts answer_start in characters as Python does, past astral characters', () => {
    // '🏈' is one character (code point) but two UTF-16 units: Python's answer_start 2 is string index 3.
    const context = '🏈 Denver won.';
    const { examples } = parseSquad({ data: [{ paragraphs: [{ context, qas: [{ id: 'e', question: '?', answers: [{ text: 'Denver', answer_start: 2 }] }] }] }] });
    expect(examples[0].answers[0]).toEqual({ text: 'Denver', answerStart: 3 });
    expect(context.slice(3, 9)).toBe('Denver');
  });

  it('reports a file that is not JSON, or missing', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'pofa-squad-'));
    writeFileSync(join(folder, 'broken.json'), '{"data": [');
    await expect(loadSquad(join(folder, 'broken.json'))).rejects.toThrowError(/broken\.json: not valid JSON/);
    await expect(loadSquad(join(folder, 'absent.json'))).rejects.toThrowError(/Cannot read the SQuAD file/);
    writeFileSync(join(folder, 'empty.json'), '\n');
    await expect(loadSquad(join(folder, 'empty.json'))).rejects.toThrowError(/empty\.json is empty/);
  });
});
