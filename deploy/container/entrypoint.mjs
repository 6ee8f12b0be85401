#!/usr/bin/env node
// The container image's one entry point: the first argument chooses what runs.
//   embedded                                 all five services in one process (SQLite; the default)
//   intake | policy-evaluator | decision | notifier | audit-projector
//                                            one service of distributed mode (Kafka, PostgreSQL)
//   cli <args>                               the approvals CLI (e.g. `cli migrate`, `cli audit verify`)
//   mcp-gateway <args>                       the MCP approval gateway
//   healthcheck                              exits 0 when this container's /readyz answers 200 (HEALTHCHECK)
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const require = createRequire(import.meta.url);
const services = ['intake', 'policy-evaluator', 'decision', 'notifier', 'audit-projector'];
const [what = 'embedded', ...rest] = process.argv.slice(2);

/** Runs a compiled entry point as if it had been started with `args`. */
function run(main, args) {
  process.argv = [process.argv[0], join(root, main), ...args];
  require(join(root, main));
}

if (what === 'embedded') run('dist/apps/host/src/main.js', rest);
else if (services.includes(what)) run('dist/apps/host/src/service-main.js', [what, ...rest]);
else if (what === 'cli') run('dist/apps/cli/src/main.js', rest);
else if (what === 'mcp-gateway') run('dist/apps/mcp-gateway/src/main.js', rest);
else if (what === 'healthcheck') {
  const port = process.env.APPROVALS_HTTP_PORT ?? '8080';
  fetch(`http://127.0.0.1:${port}/readyz`, { signal: AbortSignal.timeout(3000) }).then(
    (response) => process.exit(response.status === 200 ? 0 : 1),
    () => process.exit(1),
  );
} else {
  process.stderr.write(`unknown command "${what}": use embedded, ${services.join(', ')}, cli, mcp-gateway or healthcheck\n`);
  process.exit(2);
}
