import { runCli } from './cli';

// A closed pipe (`approvals search | head`) is not an error worth a stack trace.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

runCli(process.argv.slice(2), {
  io: {
    out: (text) => process.stdout.write(`${text}\n`),
    err: (text) => process.stderr.write(`${text}\n`),
    ...(process.stderr.isTTY ? { progress: (text: string) => process.stderr.write(`\r\x1b[2K${text}`) } : {}),
  },
  env: {
    APPROVALS_ADDRESS: process.env['APPROVALS_ADDRESS'],
    APPROVALS_DECISIONS_ADDRESS: process.env['APPROVALS_DECISIONS_ADDRESS'],
    APPROVALS_AUDIT_ADDRESS: process.env['APPROVALS_AUDIT_ADDRESS'],
    APPROVALS_API_KEY: process.env['APPROVALS_API_KEY'],
    APPROVALS_TOKEN: process.env['APPROVALS_TOKEN'],
    APPROVALS_DIRECTORY: process.env['APPROVALS_DIRECTORY'],
  },
}).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
