import { auditCommand } from './audit.command';
import { awaitCommand } from './await.command';
import { cancelCommand } from './cancel.command';
import type { Command } from './command';
import { breakGlassCommand, reviewCommand, revokeStandingCommand } from './exceptions.command';
import { getCommand } from './get.command';
import { migrateCommand } from './migrate.command';
import { checkpointKeysCommand, grantKeysCommand } from './grant-keys.command';
import { pendingCommand } from './pending.command';
import { policyCommand } from './policy.command';
import { requestCommand } from './request.command';
import { searchCommand } from './search.command';
import { timelineCommand } from './timeline.command';
import { approveCommand, denyCommand } from './vote.command';
import { watchCommand } from './watch.command';

export type { CliContext, Command, Io } from './command';

/** Every command, in the order the help lists them. */
export const commands: readonly Command[] = [
  requestCommand,
  getCommand,
  watchCommand,
  awaitCommand,
  cancelCommand,
  pendingCommand,
  approveCommand,
  denyCommand,
  revokeStandingCommand,
  breakGlassCommand,
  reviewCommand,
  timelineCommand,
  searchCommand,
  policyCommand,
  auditCommand,
  grantKeysCommand,
  checkpointKeysCommand,
  migrateCommand,
];
