// `spmon policy`: what happens to agent sessions at the warning (80 %) and critical (90 %) context levels,
// and how they continue; with options, set it in the config file (its "agents" section).
import * as fs from 'fs';
import * as path from 'path';
import { resolveSettings, Settings } from '../config';
import { configFilePath, readConfigFile } from '../sources/config_file';
import { sanitizeOutput, toSafeJson } from '../view/sanitize';
import { askRunning } from '../daemon/client';
import { CommandDef, UsageError } from './command';
import { SOCKET_OPTION, socketOf } from './daemon_client';

const ACTIONS = ['none', 'notify', 'request'];
const TOOLS = ['claude', 'codex', 'gemini'];

export const policyCommand: CommandDef = {
  name: 'policy',
  description: 'the agent policy at the warning and critical context levels (notify, request, none); with options, change it in the config file',
  options: [
    { flags: '--tool <tool>', description: 'set it for one tool: claude | codex | gemini' },
    { flags: '--session <id>', description: 'set it for one session (agent:<tool>:<id> or the bare id)' },
    { flags: '--warning <action>', description: 'at 80 %: notify | request | none' },
    { flags: '--critical <action>', description: 'at 90 %: notify | request | none' },
    { flags: '--json', description: 'print the policy as JSON' },
    SOCKET_OPTION,
  ],
  helpAfter: `
Examples:
  spmon policy                                   the policy from the config file, SPMON_AGENTS and defaults
  spmon policy --critical request                every agent: at 90 %, end it and continue it
  spmon policy --tool claude --warning notify --critical request
A change is written to the config file, and a running daemon applies it at once (as on SIGHUP);
spmon hook claude applies it on every hook call.`,
  async run(ctx) {
    const o = ctx.opts;
    const change = o.warning !== undefined || o.critical !== undefined;
    if (o.tool !== undefined && !TOOLS.includes(o.tool as string)) throw new UsageError(`--tool must be one of ${TOOLS.join(', ')} (got ${JSON.stringify(o.tool)})`);
    if (o.tool !== undefined && o.session !== undefined) throw new UsageError('give --tool or --session, not both');
    // A session id as spmon shows it (agent:<tool>:<id>) or the bare id the agent gave (a UUID): never an empty
    // key, a typo that can match nothing, or a name full of control characters written into the config file.
    if (o.session !== undefined) {
      const id = String(o.session);
      const m = /^agent:([^:]*):(.*)$/.exec(id);
      const bare = m ? m[2] : id;
      if ((m && !TOOLS.includes(m[1])) || !/^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/.test(bare))
        throw new UsageError(`--session must be agent:<${TOOLS.join('|')}>:<id> or the bare id (letters, digits, '.', '_', '-'; the whole id, as spmon tokens --json shows it), not ${JSON.stringify(id)}`);
    }
    if (!change && (o.tool !== undefined || o.session !== undefined))
      throw new UsageError('--tool and --session choose what --warning or --critical set; to see the policy, run spmon policy');
    if (!change) {
      const a = ctx.settings.agents;
      if (o.json === true) {
        ctx.io.stdout.write(toSafeJson(a, 2) + '\n');
        return 0;
      }
      const lines = policyLines(a);
      // A running daemon may apply another policy (its own --agents or SPMON_AGENTS, or another config
      // file): it is the one that acts, so it is shown too. No daemon is started to ask.
      const theirs = await daemonPolicy(socketOf(ctx));
      if (theirs && JSON.stringify(theirs.agents) !== JSON.stringify(a)) {
        // Why they differ is not known here: --agents or SPMON_AGENTS given to the daemon or to this command,
        // another config file, or the same file edited since the daemon read it.
        const file = theirs.configFile ? `it reads ${theirs.configFile}` : 'it reads no config file';
        lines.push('', `the running daemon (pid ${theirs.pid}) applies another policy (${file}; --agents or SPMON_AGENTS come first; kill -HUP ${theirs.pid} reads the file again):`);
        lines.push(...policyLines(theirs.agents).map((l) => `  ${l}`));
      }
      // Session ids are names the user (or an agent's hook) gave: placeholders for what a terminal acts on.
      ctx.io.stdout.write(sanitizeOutput(lines.join('\n')) + '\n');
      return 0;
    }
    for (const k of ['warning', 'critical'] as const) {
      if (o[k] !== undefined && !ACTIONS.includes(o[k] as string)) throw new UsageError(`--${k} must be one of ${ACTIONS.join(', ')} (got ${JSON.stringify(o[k])})`);
    }
    const file = configFilePath(ctx.io.env);
    const conf = readConfigFile(file);
    const agents = (typeof conf.agents === 'object' && conf.agents !== null ? conf.agents : {}) as Record<string, unknown>;
    const policy = (typeof agents.policy === 'object' && agents.policy !== null ? agents.policy : {}) as Record<string, unknown>;
    let target: Record<string, unknown> = policy;
    const nest = (key: 'tools' | 'sessions', name: string) => {
      const group = (typeof policy[key] === 'object' && policy[key] !== null ? policy[key] : {}) as Record<string, unknown>;
      const entry = (typeof group[name] === 'object' && group[name] !== null ? group[name] : {}) as Record<string, unknown>;
      group[name] = entry;
      policy[key] = group;
      return entry;
    };
    if (o.tool !== undefined) target = nest('tools', o.tool as string);
    if (o.session !== undefined) target = nest('sessions', o.session as string);
    if (o.warning !== undefined) target.warning = o.warning;
    if (o.critical !== undefined) target.critical = o.critical;
    agents.policy = policy;
    conf.agents = agents;
    // Checked as the settings would read it, before anything is written.
    const wanted = resolveSettings({}, {}, conf, file).agents;
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(conf, null, 2) + '\n', { mode: 0o600 });
    fs.renameSync(tmp, file);
    // A running daemon reads it again at once (a restart would stop its supervised sessions); none: the next one reads it.
    let applied = 'no daemon runs; one started later reads it';
    try {
      const r = await askRunning<{ pid: number; agents: unknown; configFile: string | null }>(socketOf(ctx), 'reload');
      if (r)
        applied =
          r.configFile && path.resolve(r.configFile) !== path.resolve(file)
            ? `the daemon (pid ${r.pid}) reads another config file (${r.configFile}), not this one`
            : JSON.stringify(r.agents) === JSON.stringify(wanted)
              ? `the daemon (pid ${r.pid}) applies it now`
              : `the daemon (pid ${r.pid}) keeps its own policy: it was started with --agents or SPMON_AGENTS, which come before the config file`;
    } catch (err) {
      ctx.io.stdout.write(`written to ${file}\n`);
      ctx.io.stderr.write(`spmon: the running daemon did not take it: ${(err as Error).message}\n`);
      return 1;
    }
    ctx.io.stdout.write(`written to ${file}; ${applied}\n`);
    return 0;
  },
};

/** The policy in words, one line each: all agents, each tool, each session, continuations, waits. */
function policyLines(a: Settings['agents']): string[] {
  const lines = [`all agents: warning ${a.policy.warning}, critical ${a.policy.critical}`];
  for (const [t, p] of Object.entries(a.policy.tools)) lines.push(`${t}: warning ${p?.warning ?? '(as all)'}, critical ${p?.critical ?? '(as all)'}`);
  for (const [s, p] of Object.entries(a.policy.sessions)) lines.push(`${s}: warning ${p.warning ?? '(as its tool)'}, critical ${p.critical ?? '(as its tool)'}`);
  lines.push(`continue with: ${TOOLS.map((t) => `${t} "${a.continuation[t as 'claude']}"`).join(', ')}`);
  lines.push(`graceful wait ${a.gracefulWaitSec} s, cool-down ${a.cooldownSec} s`);
  return lines;
}

/** What a running daemon applies (null: none answers, or it cannot say). */
function daemonPolicy(socket: string): Promise<{ pid: number; agents: Settings['agents']; configFile: string | null } | null> {
  return askRunning<{ pid: number; agents: Settings['agents']; configFile: string | null }>(socket, 'policy').catch(() => null);
}
