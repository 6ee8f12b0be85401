import { globalOptions, type OptionSpecs } from './args';
import type { Command } from './commands';
import { formatTable } from './table';

function optionLines(options: OptionSpecs): string {
  const rows = Object.entries(options).map(([name, spec]) => ({
    flag: `${spec.short ? `-${spec.short}, ` : ''}--${name}${spec.value ? ` ${spec.value}` : ''}`,
    description: spec.description,
  }));
  return formatTable(
    rows,
    [
      { header: '', value: (row) => `  ${row.flag}` },
      { header: '', value: (row) => row.description, maxWidth: 200 },
    ],
    { header: false },
  );
}

/** Wraps a paragraph at word boundaries. */
export function wrap(text: string, width = 100): string {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line !== '' && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line === '' ? word : `${line} ${word}`;
  }
  if (line !== '') lines.push(line);
  return lines.join('\n');
}

/** `approvals --help`. */
export function generalHelp(commands: readonly Command[]): string {
  const list = formatTable(
    commands,
    [
      { header: '', value: (command) => `  ${command.name}` },
      { header: '', value: (command) => command.summary, maxWidth: 200 },
    ],
    { header: false },
  );
  return [
    'approvals: command-line tool of the action-level approval ledger',
    '',
    'usage: approvals <command> [options]',
    '',
    'commands:',
    list,
    '',
    'global options:',
    optionLines(globalOptions),
    '',
    'Run "approvals <command> --help" for the options of one command.',
  ].join('\n');
}

/** `approvals <command> --help`. */
export function commandHelp(command: Command): string {
  const lines = [`usage: approvals ${command.synopsis}`, '', command.summary];
  if (command.description) lines.push('', wrap(command.description));
  if (Object.keys(command.options).length > 0) lines.push('', 'options:', optionLines(command.options));
  lines.push('', 'global options:', optionLines(globalOptions));
  return lines.join('\n');
}
