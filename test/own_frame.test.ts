// When a question about "mine" waits for an agent's log to be bound: only while an agent among the asker's
// ancestors is young (or the engine is), and never once the agent session holds the asker.
import { awaitsBinding } from '../lib/daemon/own_frame';
import type { Frame } from '../lib/engine/frame';

const NOW = 1_800_000_000_000;
const proc = (pid: number, ppid: number, name: string, startTime: number) => ({ pid, ppid, name, cmdline: name, kernelThread: false, startTime, key: `${pid}:1` });

function frame(seq: number, agentStart: number, bound: boolean): Frame {
  const processes = [proc(1, 0, 'init', NOW - 9e6), proc(10, 1, 'bash', NOW - 9e6), proc(20, 10, 'claude', agentStart), proc(30, 20, 'node', NOW - 100)];
  const run = { id: 'run:x', kind: 'run', keys: ['10:1', '20:1', '30:1'], members: [] };
  const agent = { id: 'agent:claude:s', kind: 'agent', keys: bound ? ['20:1', '30:1'] : [], members: [] };
  return { seq, wallMs: NOW, processes, sessions: [run, agent] } as unknown as Frame;
}

test('a young unbound agent above the asker: wait; bound, old, or not an agent\'s descendant: do not', () => {
  expect(awaitsBinding(30, frame(50, NOW - 1000, false))).toBe(true); // the agent started a second ago
  expect(awaitsBinding(30, frame(2, NOW - 9e6, false))).toBe(true); // the engine is two ticks old
  expect(awaitsBinding(30, frame(50, NOW - 1000, true))).toBe(false); // bound: the agent session holds it
  expect(awaitsBinding(30, frame(50, NOW - 9e6, false))).toBe(false); // an old agent with no log bound: it will not be
  expect(awaitsBinding(10, frame(2, NOW - 1000, false))).toBe(false); // the shell above the agent
});
