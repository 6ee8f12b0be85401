import { formatKeyValues, formatTable, sanitize, truncate, type Column } from './table';

interface Row {
  id: string;
  count: number;
  note: string;
}

const columns: Column<Row>[] = [
  { header: 'ID', value: (r) => r.id },
  { header: 'COUNT', value: (r) => String(r.count), align: 'right' },
  { header: 'NOTE', value: (r) => r.note, maxWidth: 10 },
];

describe('formatTable', () => {
  it('sizes each column to its widest cell and trims line ends', () => {
    const text = formatTable(
      [
        { id: 'a-1', count: 5, note: 'short' },
        { id: 'a-22', count: 1234, note: '' },
      ],
      columns,
    );

    expect(text).toBe(['ID    COUNT  NOTE', 'a-1       5  short', 'a-22   1234'].join('\n'));
  });

  it('cuts long cells with an ellipsis at the column cap', () => {
    const text = formatTable([{ id: 'x', count: 1, note: 'a very long note indeed' }], columns);

    expect(text.split('\n')[1]).toBe('x       1  a very lo…');
  });

  it('applies the table-wide cap to columns without their own', () => {
    const text = formatTable([{ id: 'abcdefghij', count: 1, note: '' }], columns, { maxCellWidth: 5, header: false });

    expect(text).toBe('abcd…  1');
  });

  it('prints only the headers for no rows', () => {
    expect(formatTable([], columns)).toBe('ID  COUNT  NOTE');
  });

  it('keeps control characters out of the terminal', () => {
    const text = formatTable([{ id: 'x\u001b[31mred', count: 1, note: 'two\nlines' }], columns, { header: false });

    expect(text).toBe('x [31mred  1  two lines');
  });
});

describe('formatKeyValues', () => {
  it('aligns values and leaves out empty ones', () => {
    expect(
      formatKeyValues([
        ['action id', 'a-1'],
        ['model', ''],
        ['status', 'APPROVED'],
      ]),
    ).toBe(['action id  a-1', 'status     APPROVED'].join('\n'));
  });
});

describe('truncate and sanitize', () => {
  it('counts characters, not UTF-16 units', () => {
    expect(truncate('héllo wörld', 5)).toBe('héll…');
    expect(truncate('👍👍👍', 3)).toBe('👍👍👍');
    expect(truncate('👍👍👍👍', 3)).toBe('👍👍…');
  });

  it('turns runs of control characters into one space', () => {
    expect(sanitize('a\r\n\tb\u0007')).toBe('a b ');
  });
});
