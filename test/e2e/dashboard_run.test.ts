// A supervised session in the real dashboard (tmux): it shows in the sessions view, and k ends it through
// its daemon, as `spmon stop` does, so a session with --restart always is not started again.
import { DaemonEnv, sleepMs, waitFor } from '../helpers/daemon_env';
import { SPMON, TmuxSession } from './tmux';

jest.setTimeout(120_000);

let d: DaemonEnv;
let session: TmuxSession;

beforeEach(() => {
  d = new DaemonEnv();
  session = new TmuxSession({ XDG_RUNTIME_DIR: d.env.XDG_RUNTIME_DIR, XDG_STATE_HOME: d.env.XDG_STATE_HOME, XDG_CONFIG_HOME: d.env.XDG_CONFIG_HOME });
});

afterEach(async () => {
  session.kill();
  await d.dispose();
});

/** Is the grid line that names `text` the selected one (drawn inverse)? */
function selected(text: string): boolean {
  const line = session.captureEscaped().split('\n').find((l) => l.replace(/\x1b\[[0-9;]*m/g, '').includes(text)) ?? '';
  return /\x1b\[[0-9;]*7m/.test(line);
}

test('k on a run session with restart=always: the daemon stops it, it is not restarted, the status line says so', async () => {
  const name = `always${process.pid}`;
  const started = await d.cli(['run', '--name', name, '--restart', 'always', '--', 'sleep', '600']);
  expect(started.code).toBe(0);
  const before = await waitFor('running', async () => (await d.ps()).find((x) => x.id === `run:${name}` && x.pid !== null) ?? null);
  session.start(`node ${SPMON} --interval 0.3 --grace 2; echo SPMON-EXIT-$?`);
  await session.waitForText('PID');
  session.keys('Tab');
  await session.waitForText(name, 20_000);
  // Walk down to it.
  for (let i = 0; i < 30 && !selected(name); i++) {
    session.keys('Down');
    await sleepMs(150);
  }
  expect(selected(name)).toBe(true);
  session.keys('k');
  await session.waitForText('(y/n)');
  session.keys('y');
  await session.waitFor((s) => new RegExp(`Stopped run:${name}: exited \\(SIGTERM\\); it is not restarted`).test(s), 'the stop reported', 30_000);
  await sleepMs(1500);
  const after = (await d.ps()).find((x) => x.id === `run:${name}`)!;
  expect(after).toMatchObject({ state: 'exited', restarts: 0 });
  expect(after.pid === null || after.pid === before.pid).toBe(true);
  const stops = (await d.events()).filter((e) => e.kind === 'stop' && e.target === `run:${name}`);
  expect(stops).toHaveLength(1);
});
