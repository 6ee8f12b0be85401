import { join } from 'node:path';
import { LEDGER_FILE_NAME } from '@approvals/ledger-sqlite';
import { READ_MODEL_FILE_NAME } from '@approvals/read-model';

/** Files under the data directory, named in one place. */
export const dataFiles = (config: { dataDir: string }) => ({
  ledger: join(config.dataDir, LEDGER_FILE_NAME),
  readModel: join(config.dataDir, READ_MODEL_FILE_NAME),
  notifier: join(config.dataDir, 'notifier.sqlite'),
});
