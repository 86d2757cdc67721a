// The one argument parser: commander, built from the command table. Settings flags land under their
// setting keys (no second parser, no name map), subcommands get their own options.
import { parseArgs } from '../lib/cli';
import { settingsOf } from '../lib/config';

const out: string[] = [];
const io = { stdout: { write: (s: string) => out.push(s) }, stderr: { write: (s: string) => out.push(s) } } as unknown as Parameters<typeof parseArgs>[1];

function parse(args: string[]) {
  out.length = 0;
  return parseArgs(['node', 'spmon', ...args], io);
}

describe('parseArgs', () => {
  test('every setting flag lands under its setting key', () => {
    const values: Record<string, string> = {
      interval: '0.5', sort: 'pid', filter: 'x', limit: '3', threshold: '70', systemProcesses: 'a,b', grace: '2',
      growthWindow: '30', smapsBudget: '5', procRoot: '/tmp/p', cgroupRoot: '/tmp/c', metricsTop: '4', metricsSessionLimit: '9',
    };
    const args: string[] = [];
    for (const s of settingsOf('')) args.push(s.flag, ...(values[s.key] !== undefined ? [values[s.key]] : []));
    const r = parse(args);
    if (typeof r === 'number') throw new Error(`usage error ${r}: ${out.join('')}`);
    expect(r.command.name).toBe('');
    for (const s of settingsOf('')) expect(r.globals[s.key]).toEqual(values[s.key] ?? true);
  });

  test("a command's own settings are its flags, not the program's", () => {
    const r = parse(['--interval', '2', 'daemon', '--log-max', '8', '--socket', '/tmp/x.sock']);
    if (typeof r === 'number') throw new Error('usage error');
    expect(r.command.name).toBe('daemon');
    expect(r.opts).toEqual({ logMax: '8', socket: '/tmp/x.sock' });
    expect(r.globals.interval).toBe('2');
    expect(parse(['--log-max', '8'])).toBe(2);
  });

  test('run takes the command after -- (or after its first argument) as it is', () => {
    const r = parse(['run', '--name', 'w', '--', 'python3', '-m', 'http.server', '--bind', '127.0.0.1']);
    if (typeof r === 'number') throw new Error('usage error');
    expect(r.args).toEqual(['python3', '-m', 'http.server', '--bind', '127.0.0.1']);
    const r2 = parse(['run', 'sleep', '--foo']);
    if (typeof r2 === 'number') throw new Error('usage error');
    expect(r2.args).toEqual(['sleep', '--foo']);
  });

  test('short flags and the snapshot flags', () => {
    const r = parse(['--once', '--json', '-i', '0', '-n', '3', '-r', '-f', 'sleep']);
    if (typeof r === 'number') throw new Error('usage error');
    expect(r.opts).toMatchObject({ once: true, json: true, interval: '0', limit: '3', reverse: true, filter: 'sleep' });
  });

  test("a subcommand's options are its own", () => {
    const r = parse(['tokens', '--json', '--session', 'abc']);
    if (typeof r === 'number') throw new Error('usage error');
    expect(r.command.name).toBe('tokens');
    expect(r.opts).toEqual({ json: true, session: 'abc' });
    expect(r.globals.json).toBeUndefined();
  });

  test.each([
    [['--bogus'], 2],
    [['--interval'], 2],
    [['--once', 'extra'], 2],
    [['tokens', '--bogus'], 3],
    [['--help'], 0],
    [['--version'], 0],
  ])('%j -> exit %i', (args, code) => {
    expect(parse(args as string[])).toBe(code);
  });
});
