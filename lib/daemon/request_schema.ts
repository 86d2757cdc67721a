// The schema of a termination request file (docs/termination-request.schema.json is this, as JSON: a test
// keeps the two the same). Checked with ajv when a file is picked up.
export const TERMINATION_REQUEST_SCHEMA = {
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "$id": "https://github.com/session-process-monitor/spmon/docs/termination-request.schema.json",
  "title": "spmon termination request",
  "description": "A file dropped into $XDG_STATE_HOME/spmon/requests/ asks the daemon to end an agent session and, optionally, continue it with a command. The field names are amplifier's termination-request's, plus session. Name the target with session, or pid (and pidStartTime, to pin the process), or both.",
  "type": "object",
  "required": [
    "reason"
  ],
  "anyOf": [
    {
      "required": [
        "session"
      ]
    },
    {
      "required": [
        "pid"
      ]
    }
  ],
  "additionalProperties": false,
  "properties": {
    "timestamp": {
      "type": "string",
      "format": "date-time",
      "description": "When the request was made (informational)."
    },
    "reason": {
      "enum": [
        "token_limit_approaching",
        "phase_complete",
        "error",
        "manual"
      ]
    },
    "continuation_command": {
      "type": [
        "string",
        "null"
      ],
      "maxLength": 8192,
      "description": "A shell command line that continues the work, run where the agent ran (its supervised session, its tmux pane, else a new supervised session in its cwd). Null or absent: the session is only ended."
    },
    "priority": {
      "enum": [
        "graceful",
        "immediate"
      ],
      "description": "graceful (default): SIGINT to the agent, a wait, then SIGTERM and SIGKILL for its tree; immediate: SIGTERM, a short grace, SIGKILL."
    },
    "pid": {
      "type": "integer",
      "minimum": 2,
      "maximum": 4194304,
      "description": "A process of the agent's session (the agent, or one of its descendants)."
    },
    "pidStartTime": {
      "type": "integer",
      "minimum": 0,
      "description": "That process's start time (clock ticks since boot, field 22 of /proc/<pid>/stat): a pid reused since is then not taken for it."
    },
    "session": {
      "type": "string",
      "minLength": 1,
      "maxLength": 512,
      "description": "A session id (agent:claude:<id>, run:<name>, tmux:...), or an agent session's bare id."
    },
    "note": {
      "type": [
        "string",
        "null"
      ],
      "maxLength": 4096
    }
  }
} as const;
