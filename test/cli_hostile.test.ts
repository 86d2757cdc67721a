// A live process with a hostile name (comm set with prctl) and argv (escape sequences, C1, bidi,
// invalid UTF-8, a blessed tag): --once prints no raw control character, --json escapes them.
import { ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { Children, python3, waitForLine } from './helpers/children';
import { runCli } from './helpers/cli';
import { privateEnv, PrivateEnv } from './helpers/private_env';
import { schemaErrors } from './helpers/schema';

// Anything a terminal acts on, except the newline that ends each line.
// eslint-disable-next-line no-control-regex
const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

// comm: OSC set-title, CSI clear-screen, a lone 0x9b byte (C1 CSI in Latin-1; invalid UTF-8), U+202E.
const COMM_BYTES = 'b"\\x1b]0;t\\x07\\x1b[2J\\x9b\\xe2\\x80\\xaeX"';
const COMM_AS_READ = '\x1b]0;t\x07\x1b[2J\ufffd\u202eX';
const ARGV0 = '{red-fg}x\x1b]0;t\x07\u202e';

let pe: PrivateEnv;
let kids: Children;
let child: ChildProcess;
let marker: string;

beforeAll(async () => {
  pe = privateEnv();
  kids = new Children(pe.env);
  marker = `hostile${process.pid}x${Date.now()}`;
  // A short relative script name keeps the hostile argv inside the table's Cmdline column.
  fs.writeFileSync(
    path.join(pe.home, 'h'),
    `import ctypes, time\nctypes.CDLL(None).prctl(15, ${COMM_BYTES}, 0, 0, 0)\nprint("ready", flush=True)\ntime.sleep(600)\n`,
  );
  // bash's $'\x9b' and $'\xff' put raw invalid UTF-8 bytes into argv, which a JS string cannot.
  child = kids.spawn(
    'bash',
    ['-c', `exec -a "$1" "$2" h "\${@:3}" $'\\x9b' $'\\xff'`, 'bash', ARGV0, python3(), '\x1b[2J', '\u009b', '\u202eevil', '\x7f', 'a\nb', marker],
    { cwd: pe.home },
  );
  await waitForLine(child, /^ready$/);
});

afterAll(async () => {
  await kids.killAll();
  pe.dispose();
});

// The filter goes through the environment: on the command line it would also match spmon itself.
const env = () => ({ SPMON_FILTER: marker });

test('the child really has the hostile comm and argv (so the test means something)', () => {
  const comm = fs.readFileSync(`/proc/${child.pid}/comm`);
  expect(comm.includes(Buffer.from([0x1b, 0x5d]))).toBe(true);
  expect(comm.includes(0x9b)).toBe(true);
  const cmdline = fs.readFileSync(`/proc/${child.pid}/cmdline`);
  expect(cmdline.includes(Buffer.from([0x1b, 0x5b, 0x32, 0x4a]))).toBe(true); // ESC [ 2 J
  expect(cmdline.includes(Buffer.from([0, 0x9b, 0]))).toBe(true); // the raw byte
});

test('--once: the row is there, with placeholders and no raw control character', async () => {
  const r = await runCli(['--once', '--interval', '0'], env());
  expect(r.code).toBe(0);
  // Valid UTF-8 throughout: decoding and re-encoding gives the same bytes.
  expect(Buffer.from(r.stdout, 'utf8').equals(r.stdoutBytes)).toBe(true);
  expect(r.stdout).not.toMatch(RAW_CONTROL);
  const row = r.stdout.split('\n').find((l) => l.trimStart().startsWith(`${child.pid} `));
  expect(row).toBeDefined();
  expect(row).toContain('\u241b]0;t\u2407\u241b[2J'); // the name, ESC and BEL as Control Pictures
  expect(row).toContain('{red-fg}x\u241b]0;t\u2407\ufffd h'); // the cmdline; the blessed tag as plain text
  expect(r.stdout).toMatch(/Processes: \d+, showing 1,/);
});

test('--json: escaped text that parses back to exactly what the process said', async () => {
  const r = await runCli(['--json', '--interval', '0'], env());
  expect(r.code).toBe(0);
  expect(r.stdout.replace(/\n/g, '')).not.toMatch(RAW_CONTROL);
  expect(r.stdout).toContain('\\u001b]0;t\\u0007');
  expect(r.stdout).toContain('\\u009b');
  expect(r.stdout).toContain('\\u202e');
  expect(r.stdout).toContain('\\u007f');
  const doc = JSON.parse(r.stdout);
  expect(schemaErrors(doc)).toBe('');
  expect(doc.processes).toHaveLength(1);
  const p = doc.processes[0];
  expect(p.pid).toBe(child.pid);
  expect(p.name).toBe(COMM_AS_READ);
  // NULs become spaces; the invalid bytes 0x9b and 0xff become U+FFFD.
  expect(p.cmdline).toBe(`${ARGV0} h \x1b[2J \u009b \u202eevil \x7f a\nb ${marker} \ufffd \ufffd`);
});

describe('messages that repeat what the user typed: no raw control character reaches the terminal', () => {
  const HOSTILE = '\x1b]0;pwn\x07\x1b[2Jx\u202e';

  test.each([
    [['--bogus' + HOSTILE]],
    [['run', '--name', HOSTILE, '--', 'true']],
    [['tokens', '--session', HOSTILE]],
  ])('spmon %j', async (args) => {
    const r = await runCli(args);
    expect(r.code).not.toBe(0);
    expect(r.stderr.length).toBeGreaterThan(0);
    expect(r.stderr.replace(/\n/g, '')).not.toMatch(RAW_CONTROL);
    expect(r.stdout.replace(/\n/g, '')).not.toMatch(RAW_CONTROL);
  });

  test('policy with an unknown tool or action: exit 2, and the message says what was given', async () => {
    for (const [args, given] of [[['--tool', 'foo', '--critical', 'request'], '"foo"'], [['--critical', 'bogus'], '"bogus"']] as const) {
      const r = await runCli(['policy', ...args]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`(got ${given})`);
    }
  });

  test('policy for a session named with escape sequences: refused with the name shown safely; one written by hand is listed with placeholders', async () => {
    const home = path.join(pe.home, 'policy-home');
    fs.mkdirSync(home);
    const conf = path.join(home, '.config', 'spmon', 'config.json');
    for (const bad of [`s${HOSTILE}`, '', 'agent:vim:abc', 'agent:claude:', 'two words']) {
      const w = await runCli(['policy', '--session', bad, '--critical', 'none'], { HOME: home, XDG_CONFIG_HOME: '' });
      expect(w.code).toBe(2);
      expect(w.stderr).toMatch(/^spmon: --session must be agent:<claude\|codex\|gemini>:<id> or the bare id/);
      expect(w.stderr.replace(/\n/g, '')).not.toMatch(RAW_CONTROL);
      expect(fs.existsSync(conf)).toBe(false);
    }
    // Without a level as well: checked the same, and one that is fine still needs a level to set.
    expect(await runCli(['policy', '--session', `s${HOSTILE}`], { HOME: home, XDG_CONFIG_HOME: '' })).toMatchObject({ code: 2, stderr: expect.stringMatching(/^spmon: --session must be/) });
    expect(await runCli(['policy', '--tool', 'nosuch'], { HOME: home, XDG_CONFIG_HOME: '' })).toMatchObject({ code: 2, stderr: expect.stringContaining('(got "nosuch")') });
    expect(await runCli(['policy', '--tool', 'claude'], { HOME: home, XDG_CONFIG_HOME: '' })).toMatchObject({ code: 2, stderr: expect.stringContaining('choose what --warning or --critical set') });
    for (const good of ['3f2a9c1e-0000-4000-8000-000000000001', 'agent:codex:rollout-2026.x_1']) {
      const w = await runCli(['policy', '--session', good, '--critical', 'none'], { HOME: home, XDG_CONFIG_HOME: '' });
      expect(w).toMatchObject({ code: 0, stderr: '' });
    }
    const written = JSON.parse(fs.readFileSync(conf, 'utf8'));
    expect(Object.keys(written.agents.policy.sessions)).toEqual(['3f2a9c1e-0000-4000-8000-000000000001', 'agent:codex:rollout-2026.x_1']);
    written.agents.policy.sessions[`s${HOSTILE}`] = { critical: 'none' };
    fs.writeFileSync(conf, JSON.stringify(written));
    const r = await runCli(['policy'], { HOME: home, XDG_CONFIG_HOME: '' });
    expect(r.code).toBe(0);
    expect(r.stdout.replace(/\n/g, '')).not.toMatch(RAW_CONTROL);
    expect(r.stdout).toContain('s\u241b]0;pwn\u2407\u241b[2Jx\ufffd: warning');
  });
});
