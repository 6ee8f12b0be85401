/** One column of a table: a heading and how to read the cell from a row. */
export interface Column<Row> {
  header: string;
  value(row: Row): string;
  /** Cells longer than this are cut with an ellipsis (default: the table's maxCellWidth). */
  maxWidth?: number;
  align?: 'left' | 'right';
}

export interface TableOptions {
  /** Print the headers as the first line (default true). */
  header?: boolean;
  /** Default cap for cell widths (default 48). */
  maxCellWidth?: number;
  /** Spaces between columns (default 2). */
  gap?: number;
}

// Cells carry data that agents wrote (justifications, parameters); control characters could
// move the cursor or recolour the terminal, so they become spaces.
const controlCharacters = /[\u0000-\u001f\u007f-\u009f]+/g;

/** Makes text safe for one terminal cell: no control characters, no line breaks. */
export function sanitize(text: string): string {
  return text.replace(controlCharacters, ' ');
}

/** Cuts text to at most `width` characters, marking the cut with an ellipsis. */
export function truncate(text: string, width: number): string {
  const chars = [...text];
  if (chars.length <= width) return text;
  if (width <= 1) return chars.slice(0, width).join('');
  return `${chars.slice(0, width - 1).join('')}…`;
}

const displayWidth = (text: string) => [...text].length;

/** Formats rows as aligned columns (auto width, long cells truncated); no trailing spaces. */
export function formatTable<Row>(rows: readonly Row[], columns: readonly Column<Row>[], options: TableOptions = {}): string {
  const { header = true, maxCellWidth = 48, gap = 2 } = options;
  const cells = rows.map((row) => columns.map((column) => truncate(sanitize(column.value(row)), column.maxWidth ?? maxCellWidth)));
  const lines = header ? [columns.map((column) => column.header), ...cells] : cells;
  const widths = columns.map((_, index) => Math.max(0, ...lines.map((line) => displayWidth(line[index] ?? ''))));
  return lines
    .map((line) =>
      line
        .map((cell, index) => {
          const pad = ' '.repeat((widths[index] ?? 0) - displayWidth(cell));
          return columns[index]?.align === 'right' ? pad + cell : cell + pad;
        })
        .join(' '.repeat(gap))
        .trimEnd(),
    )
    .join('\n');
}

/** Formats label/value pairs as two aligned columns, leaving out empty values. */
export function formatKeyValues(pairs: readonly (readonly [string, string])[], maxValueWidth = 120): string {
  return formatTable(
    pairs.filter(([, value]) => value !== ''),
    [
      { header: '', value: ([label]) => label },
      { header: '', value: ([, value]) => value, maxWidth: maxValueWidth },
    ],
    { header: false },
  );
}
