import { randomUUID } from 'node:crypto';
import { IdIndex } from './id-index';

describe('IdIndex', () => {
  it('finds every id added, through many growths of its table, and nothing else', () => {
    const index = new IdIndex();
    const ids = Array.from({ length: 20_000 }, () => randomUUID());
    ids.forEach((id, row) => index.add(id, row));
    ids.forEach((id, row) => expect(index.get(id)).toBe(row));
    for (let i = 0; i < 1_000; i++) expect(index.get(randomUUID())).toBeUndefined();
  });

  it('tells apart ids that differ in any one digit, including the sequential ids of a seeded incident', () => {
    const index = new IdIndex();
    const id = (n: number) => `00000002-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
    for (let n = 0; n < 5_000; n++) index.add(id(n), n);
    for (let n = 0; n < 5_000; n++) expect(index.get(id(n))).toBe(n);
    const base = '0123abcd-4567-89ef-0123-456789abcdef';
    for (let i = 0; i < base.length; i++) {
      if (base[i] === '-') continue;
      const other = `${base.slice(0, i)}${base[i] === '0' ? '1' : '0'}${base.slice(i + 1)}`;
      expect(index.get(other)).toBeUndefined();
    }
  });

  it('keeps ids in any other form as the text they are: an upper-case UUID is another id', () => {
    const index = new IdIndex();
    const lower = '0123abcd-4567-89ef-0123-456789abcdef';
    const others = [lower.toUpperCase(), `{${lower}}`, lower.replace(/-/g, ''), 'deployment-7', '', 'g123abcd-4567-89ef-0123-456789abcdef'];
    index.add(lower, 0);
    others.forEach((id, i) => index.add(id, i + 1));
    expect(index.get(lower)).toBe(0);
    others.forEach((id, i) => expect(index.get(id)).toBe(i + 1));
    expect(index.get('0123abcd-4567-89ef-0123-456789abcdee')).toBeUndefined();
  });

  it('finds an id from its UTF-8 bytes inside a line, in either form, as from its text', () => {
    const index = new IdIndex();
    const uuid = '0123abcd-4567-89ef-0123-456789abcdef';
    const ids = [uuid, uuid.toUpperCase(), 'déploiement-7', uuid.replace(/-/g, '')];
    ids.forEach((id, row) => index.add(id, row));
    for (const [row, id] of ids.entries()) {
      const line = Buffer.from(`{"targetId":"${id}","x":1}`);
      const from = line.indexOf('"', 12) + 1;
      expect(index.getBytes({ bytes: line, from, to: line.indexOf('"', from) })).toBe(row);
    }
    const other = Buffer.from('0123abcd-4567-89ef-0123-456789abcdee');
    expect(index.getBytes({ bytes: other, from: 0, to: other.length })).toBeUndefined();
    expect(index.getBytes({ bytes: other, from: 1, to: other.length })).toBeUndefined();
  });

  it('keeps the first row of an id added twice, in either form', () => {
    const index = new IdIndex();
    const uuid = '0123abcd-4567-89ef-0123-456789abcdef';
    expect(index.add(uuid, 1)).toBe(true);
    expect(index.add(uuid, 2)).toBe(false);
    expect(index.add('deployment-7', 3)).toBe(true);
    expect(index.add('deployment-7', 4)).toBe(false);
    expect([index.get(uuid), index.get('deployment-7')]).toEqual([1, 3]);
    // The table grows by the ids added, not by the ones refused.
    for (let n = 0; n < 5_000; n++) expect(index.add(uuid, n)).toBe(false);
    expect(index.get(uuid)).toBe(1);
  });
});
