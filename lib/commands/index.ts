// Every command of spmon, in the order `spmon --help` lists them. Each module declares its options and
// its run function; lib/cli.ts builds the one commander parser from this table.
import type { CommandDef } from './command';
import { mainCommand } from './main';
import { tokensCommand } from './tokens';

export const COMMANDS: readonly CommandDef[] = [mainCommand, tokensCommand];
