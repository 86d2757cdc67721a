// The quick argument parse (util.parseArgs, no commander, for a plain `spmon --once --json ...`) gives what commander
// gives, and leaves everything else to commander.
import * as path from 'path';
import type * as Cli from '../lib/cli';

// The built CLI (pretest builds dist/): it finds package.json from there, as bin/spmon runs it.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { parseWithCommander, quickOptions } = require(path.join(__dirname, '..', 'dist', 'lib', 'cli.js')) as typeof Cli;

const silent = { stdout: { write: () => true }, stderr: { write: () => true } } as unknown as Parameters<typeof Cli.parseWithCommander>[1];

function viaCommander(args: string[]) {
  const r = parseWithCommander(['node', 'spmon', ...args], silent);
  return typeof r === 'number' ? r : r.opts;
}

describe('quickOptions', () => {
  test.each([
    [[]],
    [['--once']],
    [['--json', '--interval', '0']],
    [['--once', '--json', '-i', '0.5']],
    [['--once', '-i', '0', '-n', '3', '--sort', 'pid', '-r', '--filter', 'sleep', '--threshold', '70']],
    [['--read-only', '--growth-window', '30', '--smaps-budget', '5', '--system-processes', 'a,b', '--grace', '2']],
    [['--proc-root', '/tmp/p', '--cgroup-root', '/tmp/c', '--reverse', '--limit', '9', '--json']],
    [['--json', '--json', '-i', '1', '--interval', '2']],
    [['--filter', 'tokens', '--once']],
    [['--filter', '', '--once']],
    [['--sort', 'nope']],
  ])('%j: same options as commander', (args) => {
    const quick = quickOptions(args);
    expect(quick).not.toBeNull();
    expect(quick).toEqual(viaCommander(args));
  });

  test.each([
    [['--help']],
    [['-h']],
    [['-V']],
    [['--version']],
    [['tokens']],
    [['tokens', '--json']],
    [['--json', 'tokens']],
    [['--interval=0']],
    [['-ri', '0']],
    [['--interval', '-1']],
    [['--interval']],
    [['--bogus']],
    [['--once', 'extra']],
    [['--', '--once']],
  ])('%j: left to commander', (args) => {
    expect(quickOptions(args)).toBeNull();
  });
});
