// Settings: flag > SPMON_* > config file > default; HYPERPLANE_... honoured; bad values explained.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ConfigError, resolveSettings, SETTINGS } from '../lib/config';
import { configFilePath, readConfigFile } from '../lib/sources/config_file';

const HYPER = 'HYPERPLANE_SESSION_PROCESS_TERMINATOR_THRESHOLD_PERCENT';

describe('resolveSettings', () => {
  test('defaults', () => {
    expect(resolveSettings({}, {}, {})).toEqual({
      interval: 1,
      threshold: 80,
      systemProcesses: ['pilot-agent', 'envoy', 'ttyd', 'jupyter-lab', 'code-server', 'timeout.py', 'listener.py', 'sh'],
      sort: 'uss',
      reverse: false,
      filter: '',
      limit: null,
      grace: 5,
      readOnly: false,
      growthWindow: 60,
      smapsBudget: 20,
      procRoot: '/proc',
      cgroupRoot: '/sys/fs/cgroup',
      logMax: 16,
      endedLogMax: 1,
      memoryGuard: 'off',
      agents: {
        policy: { warning: 'notify', critical: 'notify', tools: {}, sessions: {} },
        continuation: { claude: 'claude --resume {session}', codex: 'codex resume {session}', gemini: 'gemini --resume {session}' },
        gracefulWaitSec: 30,
        cooldownSec: 600,
      },
      metricsTop: 0,
      metricsSessionLimit: 200,
      allowControl: false,
      allowForce: false,
    });
  });

  test('metrics settings: --metrics-top at most 100 (a hard maximum), whole numbers only; the session limit from the file', () => {
    expect(resolveSettings({ metricsTop: '100' }, {}, {}).metricsTop).toBe(100);
    expect(resolveSettings({}, { SPMON_METRICS_TOP: '7' }, {}).metricsTop).toBe(7);
    expect(() => resolveSettings({ metricsTop: '101' }, {}, {})).toThrow('--metrics-top must be a whole number from 0 to 100 (got "101")');
    expect(() => resolveSettings({}, { SPMON_METRICS_TOP: '2.5' }, {})).toThrow(/SPMON_METRICS_TOP must be a whole number/);
    expect(resolveSettings({}, {}, { metricsSessionLimit: 50 }).metricsSessionLimit).toBe(50);
    expect(() => resolveSettings({}, {}, { metricsSessionLimit: -1 })).toThrow(/"metricsSessionLimit" must be a whole number/);
  });

  test('a flag beats SPMON_*, which beats the config file, which beats the default', () => {
    const file = { interval: 3, sort: 'pss', limit: 7, filter: 'from-file' };
    const env = { SPMON_INTERVAL: '2', SPMON_SORT: 'cpu' };
    const s = resolveSettings({ interval: '0.5' }, env, file);
    expect(s.interval).toBe(0.5); // flag
    expect(s.sort).toBe('cpu'); // env
    expect(s.limit).toBe(7); // file
    expect(s.filter).toBe('from-file');
    expect(s.threshold).toBe(80); // default
  });

  test('an empty environment variable counts as unset', () => {
    expect(resolveSettings({}, { SPMON_INTERVAL: '' }, { interval: 4 }).interval).toBe(4);
  });

  test('HYPERPLANE_SESSION_PROCESS_TERMINATOR_THRESHOLD_PERCENT is honoured; SPMON_THRESHOLD and the flag win over it', () => {
    expect(resolveSettings({}, { [HYPER]: '65' }, {}).threshold).toBe(65);
    expect(resolveSettings({}, { [HYPER]: '65' }, { threshold: 90 }).threshold).toBe(65);
    expect(resolveSettings({}, { [HYPER]: '65', SPMON_THRESHOLD: '70' }, {}).threshold).toBe(70);
    expect(resolveSettings({ threshold: '75' }, { [HYPER]: '65' }, {}).threshold).toBe(75);
  });

  test('types: booleans, lists, sort keys in any case', () => {
    expect(resolveSettings({}, { SPMON_REVERSE: 'yes', SPMON_READ_ONLY: '0' }, {})).toMatchObject({ reverse: true, readOnly: false });
    expect(resolveSettings({}, { SPMON_SYSTEM_PROCESSES: 'envoy, mydaemon ,' }, {}).systemProcesses).toEqual(['envoy', 'mydaemon']);
    expect(resolveSettings({}, {}, { systemProcesses: ['a', 'b'] }).systemProcesses).toEqual(['a', 'b']);
    expect(resolveSettings({ sort: 'CPU' }, {}, {}).sort).toBe('cpu');
    expect(resolveSettings({ reverse: true, limit: '3' }, {}, {})).toMatchObject({ reverse: true, limit: 3 });
  });

  test('the default list is a copy: changing one result does not change the next', () => {
    const a = resolveSettings({}, {}, {});
    a.systemProcesses.push('mine');
    expect(resolveSettings({}, {}, {}).systemProcesses).not.toContain('mine');
  });

  test.each([
    [{ interval: 'abc' }, {}, {}, /--interval must be a number of seconds from 0 to 3600 \(got "abc"\)/],
    [{ interval: '-1' }, {}, {}, /--interval must be/],
    [{ interval: '0x10' }, {}, {}, /--interval must be a number of seconds/],
    [{ interval: 'Infinity' }, {}, {}, /--interval must be/],
    [{}, { SPMON_GRACE: '1e2' }, {}, /SPMON_GRACE must be a number of seconds/],
    [{ sort: 'memory' }, {}, {}, /--sort must be one of pid, name, cmdline, cpu, uss, pss, rss, growth, read, write \(got "memory"\)/],
    [{ limit: '0' }, {}, {}, /--limit must be a whole number of at least 1/],
    [{ limit: '2.5' }, {}, {}, /--limit must be a whole number/],
    [{}, { SPMON_LIMIT: 'ten' }, {}, /SPMON_LIMIT must be a whole number/],
    [{}, { SPMON_THRESHOLD: '150' }, {}, /SPMON_THRESHOLD must be a percentage from 1 to 100 \(got "150"\)/],
    [{}, { SPMON_REVERSE: 'maybe' }, {}, /SPMON_REVERSE must be true or false/],
    [{}, {}, { interval: '2s' }, /config file: "interval" must be a number/],
    [{}, {}, { systemProcesses: [1, 2] }, /config file: "systemProcesses" must be a list of names/],
    [{}, {}, { intervall: 2 }, /config file: unknown setting "intervall" \(known: interval, /],
  ])('bad value %j %j %j: a clear ConfigError', (flags, env, file, message) => {
    expect(() => resolveSettings(flags, env, file)).toThrow(ConfigError);
    expect(() => resolveSettings(flags, env, file)).toThrow(message);
  });

  test('a bad HYPERPLANE_... value, set by the platform, is reported and the default used', () => {
    for (const bad of ['abc', '150', '0']) {
      const warnings: string[] = [];
      const s = resolveSettings({}, { [HYPER]: bad }, {}, 'config file', (m) => warnings.push(m));
      expect(s.threshold).toBe(80);
      expect(warnings).toEqual([`${HYPER} must be a percentage from 1 to 100 (got ${JSON.stringify(bad)}); ignored`]);
    }
    // The file still applies below it, and the user's own variable is still strict.
    expect(resolveSettings({}, { [HYPER]: 'abc' }, { threshold: 70 }).threshold).toBe(70);
  });

  test('errors name the file they come from', () => {
    expect(() => resolveSettings({}, {}, { limit: -1 }, '/home/u/.config/spmon/config.json')).toThrow(
      /^\/home\/u\/\.config\/spmon\/config\.json: "limit" must be/,
    );
  });

  test('every setting has a flag and an SPMON_ variable', () => {
    for (const s of SETTINGS) {
      expect(s.flag).toMatch(/^--[a-z-]+$/);
      expect(s.env[0]).toMatch(/^SPMON_[A-Z_]+$/);
    }
  });
});

describe('config file', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spmon-config-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('path: $XDG_CONFIG_HOME/spmon/config.json, else ~/.config/spmon/config.json', () => {
    expect(configFilePath({ HOME: '/home/u', XDG_CONFIG_HOME: '/xdg' })).toBe('/xdg/spmon/config.json');
    expect(configFilePath({ HOME: '/home/u' })).toBe('/home/u/.config/spmon/config.json');
    expect(configFilePath({ HOME: '/home/u', XDG_CONFIG_HOME: 'relative' })).toBe('/home/u/.config/spmon/config.json');
  });

  test('a missing file is empty; a valid one is its object', () => {
    expect(readConfigFile(path.join(dir, 'none.json'))).toEqual({});
    const f = path.join(dir, 'config.json');
    fs.writeFileSync(f, '{"interval": 2, "systemProcesses": ["x"]}');
    expect(readConfigFile(f)).toEqual({ interval: 2, systemProcesses: ['x'] });
  });

  test('malformed files give errors that name the file', () => {
    const f = path.join(dir, 'config.json');
    fs.writeFileSync(f, '{"interval": 2,');
    expect(() => readConfigFile(f)).toThrow(`${f} is not valid JSON`);
    fs.writeFileSync(f, '[1, 2]');
    expect(() => readConfigFile(f)).toThrow(`${f} must hold a JSON object`);
    expect(() => readConfigFile(dir)).toThrow(`cannot read ${dir}`);
  });

  test('a file that cannot be reached is not an error: said once, then defaults', () => {
    const f = path.join(dir, 'file');
    fs.writeFileSync(f, '');
    const warnings: string[] = [];
    // A path through a regular file (ENOTDIR), as a HOME one cannot enter is (EACCES, tested as nobody in cli_unprivileged).
    expect(readConfigFile(path.join(f, 'spmon', 'config.json'), (m) => warnings.push(m))).toEqual({});
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/cannot be reached \(ENOTDIR\); using flags, SPMON_\* variables and defaults$/);
    // Strict (a daemon reloading): an error, not the defaults.
    expect(() => readConfigFile(path.join(f, 'spmon', 'config.json'), () => undefined, true)).toThrow(/cannot be reached \(ENOTDIR\)$/);
  });
});
