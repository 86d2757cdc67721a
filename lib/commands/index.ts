// Every command of spmon, in the order `spmon --help` lists them. Each module declares its options and
// its run function; lib/cli.ts builds the one commander parser from this table.
import type { CommandDef } from './command';
import { daemonCommand } from './daemon';
import { eventsCommand } from './events';
import { hookCommand } from './hook';
import { policyCommand } from './policy';
import { requestTerminationCommand } from './request_termination';
import { logsCommand } from './logs';
import { mainCommand } from './main';
import { mcpCommand } from './mcp';
import { psCommand } from './ps';
import { runCommand } from './run';
import { statusCommand } from './status';
import { restartCommand, stopCommand } from './stop';
import { tokensCommand } from './tokens';

export const COMMANDS: readonly CommandDef[] = [mainCommand, tokensCommand, runCommand, psCommand, logsCommand, stopCommand, restartCommand, statusCommand, eventsCommand, requestTerminationCommand, policyCommand, hookCommand, daemonCommand, mcpCommand];
