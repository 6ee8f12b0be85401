import { resolve } from 'node:path';
import { rotateCheckpointKeys } from '@approvals/keys';
import { rotateGrantKeys } from '@approvals/grants';
import { expectPositionals, parseCommandArgs, parseDuration } from '../args';
import { ExitCode, UsageError } from '../errors';
import { printJson, type Command } from './command';

/** `<name> rotate [--file]`: adds a signing key to a key file and keeps the newest three. */
function keyRotationCommand(spec: {
  name: string;
  what: string;
  defaultFile: string;
  setting: string;
  published: string;
  rotate: (file: string, options: { signFrom?: Date | undefined }) => Promise<{ kid: string; kept: string[] }>;
}): Command {
  const options = {
    file: { type: 'string', value: '<path>', description: `the key file (${spec.setting}; default ${spec.defaultFile}, the embedded default)` },
    'sign-after': {
      type: 'string',
      value: '<duration>',
      description: 'stage the new key: published and verifying at once, signing only after this long (e.g. 1h); with replicas, restart them all within it',
    },
  } as const;
  return {
    name: spec.name,
    synopsis: `${spec.name} rotate [--file <path>] [--sign-after <duration>]`,
    summary: `add a new ${spec.what} signing key (the newest three are kept)`,
    description:
      'Works on the key file itself, not through the server. The decision service signs with the new key after its next start; ' +
      `the older keys stay in the file and in ${spec.published}, so what they signed before the rotation still verifies.`,
    options,
    async run(args, ctx) {
      const { values, positionals } = parseCommandArgs(spec.name, args, options);
      const [verb] = expectPositionals(spec.name, positionals, ['verb']);
      if (verb !== 'rotate') throw new UsageError(`${spec.name}: unknown subcommand "${verb}" (known: rotate)`);
      const file = resolve(values.file ?? spec.defaultFile);
      const signFrom = values['sign-after'] === undefined ? undefined : new Date(ctx.now().getTime() + parseDuration('--sign-after', values['sign-after']) * 1000);
      const { kid, kept } = await spec.rotate(file, { signFrom });
      if (ctx.json) printJson(ctx.io, { file, kid, kept, ...(signFrom ? { signFrom: signFrom.toISOString() } : {}) });
      else if (signFrom) {
        ctx.io.out(
          `added signing key ${kid} to ${file}, signing from ${signFrom.toISOString()}; keys kept: ${kept.join(', ')}\n` +
            'restart every decision replica before then: each verifies with it from its start, and signs with it from that time',
        );
      } else ctx.io.out(`added signing key ${kid} to ${file}; keys kept: ${kept.join(', ')}\nrestart the decision service to sign with it`);
      return ExitCode.ok;
    },
  };
}

export const grantKeysCommand = keyRotationCommand({
  name: 'grant-keys',
  what: 'execution-grant',
  defaultFile: '.data/keys/grant-signing-key.json',
  setting: 'APPROVALS_GRANT_KEYS_FILE',
  published: '/.well-known/jwks.json',
  rotate: rotateGrantKeys,
});

export const checkpointKeysCommand = keyRotationCommand({
  name: 'checkpoint-keys',
  what: 'ledger checkpoint',
  defaultFile: '.data/keys/checkpoint-signing-key.json',
  setting: 'APPROVALS_CHECKPOINT_KEYS_FILE',
  published: '/.well-known/ledger-checkpoint-keys',
  rotate: rotateCheckpointKeys,
});
