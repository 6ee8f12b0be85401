import { resolve } from 'node:path';
import { rotateGrantKeys } from '@approvals/platform';
import { expectPositionals, parseCommandArgs } from '../args';
import { ExitCode, UsageError } from '../errors';
import { printJson, type Command } from './command';

const defaultFile = '.data/keys/grant-signing-key.json';
const options = {
  file: { type: 'string', value: '<path>', description: `the key file (APPROVALS_GRANT_KEYS_FILE; default ${defaultFile}, the embedded default)` },
} as const;

export const grantKeysCommand: Command = {
  name: 'grant-keys',
  synopsis: 'grant-keys rotate [--file <path>]',
  summary: 'add a new execution-grant signing key (the newest three are kept)',
  description:
    'Works on the key file itself, not through the server. The decision service signs with the new key after its next start; ' +
    'the older keys stay in the file and in /.well-known/jwks.json, so grants signed before the rotation verify until they expire.',
  options,
  async run(args, ctx) {
    const { values, positionals } = parseCommandArgs('grant-keys', args, options);
    const [verb] = expectPositionals('grant-keys', positionals, ['verb']);
    if (verb !== 'rotate') throw new UsageError(`grant-keys: unknown subcommand "${verb}" (known: rotate)`);
    const file = resolve(values.file ?? defaultFile);
    const { kid, kept } = await rotateGrantKeys(file);
    if (ctx.json) printJson(ctx.io, { file, kid, kept });
    else ctx.io.out(`added signing key ${kid} to ${file}; keys kept: ${kept.join(', ')}\nrestart the decision service to sign with it`);
    return ExitCode.ok;
  },
};
