#!/usr/bin/env node
import { Command } from 'commander';
import { isFloeError } from '../domain/index.js';
import { datasetCommand } from './commands/dataset.js';
import { applyCommand, planCommand } from './commands/definitions.js';
import { demoCommand } from './commands/demo.js';
import { featureGroupCommand } from './commands/feature-group.js';
import { ingestCommand } from './commands/ingest.js';
import { queryCommand, snapshotsCommand } from './commands/query.js';
import { deleteCommand, getCommand, putCommand } from './commands/records.js';
import { keysCommand } from './commands/keys.js';
import { jobsCommand, optimizeCommand, vacuumCommand } from './commands/maintenance.js';
import { serveCommand } from './commands/serve.js';
import { addGlobalOptions, type GlobalOptions } from './store-options.js';

const program = addGlobalOptions(
  new Command('floe').description('Floe: a feature store with SageMaker Feature Store semantics, on your own machines').version('0.1.0'),
);
const globals = () => program.opts<GlobalOptions>();

program.addCommand(planCommand(globals));
program.addCommand(applyCommand(globals));
program.addCommand(featureGroupCommand(globals));
program.addCommand(putCommand(globals));
program.addCommand(getCommand(globals));
program.addCommand(deleteCommand(globals));
program.addCommand(ingestCommand(globals));
program.addCommand(queryCommand(globals));
program.addCommand(datasetCommand(globals));
program.addCommand(snapshotsCommand(globals));
program.addCommand(optimizeCommand(globals));
program.addCommand(vacuumCommand(globals));
program.addCommand(jobsCommand(globals));
program.addCommand(demoCommand(globals, () => program.getOptionValueSource('dataDir') === 'cli'));
program.addCommand(serveCommand(globals));
program.addCommand(keysCommand(globals));

try {
  await program.parseAsync(process.argv);
} catch (error) {
  // A user sees one line: the field and the reason for bad input, the message otherwise.
  // FLOE_DEBUG=1 shows the stack of an unexpected failure.
  if (isFloeError(error)) {
    console.error(`error: ${error.message}`);
    process.exitCode = error.httpStatus < 500 ? 2 : 1;
  } else {
    console.error(`error: ${error instanceof Error ? error.message : String(error)}`);
    if (process.env.FLOE_DEBUG && error instanceof Error) console.error(error.stack);
    process.exitCode = 1;
  }
}
