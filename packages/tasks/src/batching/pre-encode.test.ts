import { describe, expect, it } from 'vitest';
import { DataFormatError } from '../errors/data-format-error';
import { preEncode } from './pre-encode';

describe('preEncode', () => {
  it('calls the asynchronous encoder once per distinct text and answers synchronously', async () => {
    const calls: string[] = [];
    const encode = async (text: string, pair: string | undefined, maxLength: number) => {
      calls.push(`${text}|${pair ?? ''}|${maxLength}`);
      const ids = [...text, ...(pair ?? '')].map((character) => character.charCodeAt(0));
      return { inputIds: ids, tokenTypeIds: ids.map(() => 0) };
    };
    const sync = await preEncode(['ab', { text: 'ab', textPair: 'c' }, 'ab'], encode, 8);
    expect(calls).toEqual(['ab||8', 'ab|c|8']);
    expect(sync('ab', undefined, 8).inputIds).toEqual([97, 98]);
    expect(sync('ab', 'c', 8).inputIds).toEqual([97, 98, 99]);
    expect(() => sync('zz', undefined, 8)).toThrow(DataFormatError);
    expect(() => sync('ab', undefined, 16)).toThrow(/maxLength 8/);
  });
});
