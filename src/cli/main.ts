#!/usr/bin/env node
import { Command } from 'commander';
import { isFloeError } from '../domain/index.js';
import { datasetCommand } from './commands/dataset.js';
import { demoCommand } from './commands/demo.js';
import { featureGroupCommand } from './commands/feature-group.js';
import { queryCommand, snapshotsCommand } from './commands/query.js';
import { getCommand, putCommand } from './commands/records.js';
import { keysCommand } from './commands/keys.js';
import { jobsCommand, optimizeCommand, vacuumCommand } from './commands/maintenance.js';
import { serveCommand } from './commands/serve.js';
import { addGlobalOptions, type GlobalOptions } from './store-options.js';

const program = addGlobalOptions(
  new Command('floe').description('Floe: a feature store with SageMaker Feature Store semantics, on your own machines').version('0.1.0'),
);
const globals = () => program.opts<GlobalOptions>();

program.addCommand(featureGroupCommand(globals));
program.addCommand(putCommand(globals));
program.addCommand(getCommand(globals));
program.addCommand(queryCommand(globals));
program.addCommand(datasetCommand(globals));
program.addCommand(snapshotsCommand(globals));
program.addCommand(optimizeCommand(globals));
program.addCommand(vacuumCommand(globals));
program.addCommand(jobsCommand(globals));
program.addCommand(demoCommand(globals));
program.addCommand(serveCommand(globals));
program.addCommand(keysCommand(globals));

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (isFloeError(error)) {
    console.error(`error: ${error.message}`);
    process.exitCode = error.httpStatus < 500 ? 2 : 1;
  } else {
    console.error(error);
    process.exitCode = 1;
  }
}
