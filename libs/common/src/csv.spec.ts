import { csvCell, csvText } from './csv';

describe('csvCell', () => {
  it.each([
    ['=HYPERLINK("http://evil.example","x")', `"'=HYPERLINK(""http://evil.example"",""x"")"`],
    ['+1+1', "'+1+1"],
    ['-2+3', "'-2+3"],
    ['@SUM(A1:A2)', "'@SUM(A1:A2)"],
    ['\t=1+1', `"'\t=1+1"`],
    ['\r=1+1', `"'\r=1+1"`],
  ])('neutralises a formula: %j', (value, cell) => {
    expect(csvCell(value)).toBe(cell);
  });

  it.each([
    ['Station 7;=1+1', '"Station 7;=1+1"'],
    ['Miami-Dade Fire, Station "7"', '"Miami-Dade Fire, Station ""7"""'],
    ['two\tcells', '"two\tcells"'],
    ['line one\n=1+1', '"line one\n=1+1"'],
  ])('quotes a cell holding a separator, quote or line break: %j', (value, cell) => {
    expect(csvCell(value)).toBe(cell);
  });

  it('leaves plain text and numbers alone; nothing is an empty cell', () => {
    expect([csvCell('Jackson Memorial'), csvCell(-2.5), csvCell(0), csvCell(null), csvCell(undefined), csvCell('')]).toEqual([
      'Jackson Memorial',
      '-2.5',
      '0',
      '',
      '',
      '',
    ]);
  });

  it('writes rows with CRLF line ends', () => {
    expect(
      csvText([
        ['a', 'b;c'],
        [1, null],
      ]),
    ).toBe('a,"b;c"\r\n1,\r\n');
  });
});
